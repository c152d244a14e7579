// Reading teachers: every look-up, list, scan and count of the `teachers`
// and `teacher_versions` tables that the workflow, progress, accounts,
// units, export and sync ask for. Writes are in teachers.h; the two files
// are the only ones that hold SQL on these tables (docs/architecture.md:
// the data model).
#ifndef NTMIS_PROVINCIAL_CORE_TEACHER_QUERIES_H_
#define NTMIS_PROVINCIAL_CORE_TEACHER_QUERIES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ntmis/v1/categories.pb.h"
#include "ntmis/v1/provincial.pb.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/store.h"
#include "provincial/core/teacher_state.h"

namespace ntmis::provincial {

// One teacher: the current row as the API shows it. NOT_FOUND if none.
absl::StatusOr<v1::TeacherView> LoadTeacherView(
    Store& store, const std::string& teacher_number);

// The teacher's past versions, oldest first; the current one is not among
// them.
absl::Status ForEachPastVersion(
    Store& store, const std::string& teacher_number,
    const std::function<void(v1::TeacherView)>& version);

// The ID-card number as sealed with the node's key. NOT_FOUND if none.
absl::StatusOr<std::string> SealedIdCard(Store& store,
                                         const std::string& teacher_number);

// A page of teachers: in (school, state, number) order after the keyset
// `after` (empty strings: from the start), or, with `offset`, in `order`
// from that row on; up to `limit` rows. `total` (when given) receives how
// many match. Each summary carries its school's name.
struct TeacherPageQuery {
  const std::vector<std::string>* schools =
      nullptr;                        // nullptr: the whole province
  std::optional<TeacherState> state;  // nullopt: every state
  std::string after_school, after_state, after_number;
  std::optional<uint64_t> offset;  // by page number instead of the keyset
  v1::ListTeachersRequest::Order order = v1::ListTeachersRequest::ORDER_SCHOOL;
  bool descending = false;
  std::string
      search;  // name contains it, or it is the teacher number; empty: all
  uint32_t limit = 50;
};
absl::StatusOr<std::vector<v1::TeacherSummary>> ListTeacherPage(
    Store& store, const TeacherPageQuery& query, uint64_t* total = nullptr);

// Records waiting in `state` (a review step), oldest first after
// (after_unix, after_number): those of the school `unit`, or with
// `county` those of every school directly under the county `unit`.
struct WaitingQuery {
  std::string unit;
  bool county = false;
  TeacherState state = TeacherState::kSubmitted;
  int64_t after_unix = 0;
  std::string after_number;
  uint32_t limit = 50;
};
struct WaitingTeacher {
  std::string teacher_number;
  std::string school_code;
  std::string name;
  int64_t since_unix = 0;
};
absl::StatusOr<std::vector<WaitingTeacher>> WaitingTeachers(
    Store& store, const WaitingQuery& query);

// How many teachers each of `schools` has in each state (from the
// (school_code, state) index alone).
absl::Status CountByState(
    Store& store, const std::vector<std::string>& schools,
    const std::function<void(const std::string& school, TeacherState,
                             uint64_t)>& count);

// The teachers of `schools` not yet effective (IsInProgress), in (school,
// state, number) order; `teacher` returns false to stop early.
absl::Status ForEachInProgress(
    Store& store, const std::vector<std::string>& schools,
    const std::function<bool(const v1::TeacherSummary&)>& teacher);

// The school's teachers that are still this province's (IsActive).
absl::StatusOr<std::vector<std::string>> ActiveTeacherNumbers(
    Store& store, const std::string& school);
absl::StatusOr<uint64_t> CountActiveTeachers(Store& store,
                                             const std::string& school);

// Every teacher of `school` (in `state` only, if given), in number order.
absl::Status ForEachTeacherOfSchool(
    Store& store, const std::string& school, std::optional<TeacherState> state,
    const std::function<absl::Status(const std::string& number, TeacherState,
                                     const v1::TeacherRecord&)>& teacher);

// The live entries of `category` of every teacher of `school`, in (number,
// entry) order.
absl::Status ForEachEntryOfSchool(
    Store& store, const std::string& school, const std::string& category,
    const std::function<absl::Status(const std::string& number,
                                     int64_t entry_no, const v1::EntryValues&)>&
        entry);

// Each effective record in number range [from, to) (the whole table when
// both are empty), in number order, as stored.
absl::Status ForEachEffectiveRecord(
    Store& store, const std::string& from, const std::string& to,
    const std::function<absl::Status(const std::string& number,
                                     absl::string_view record)>& record);

// Up to `limit` teachers whose number the national registry has not yet
// confirmed: (number, keyed ID hash).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ProvisionalTeachers(Store& store, uint32_t limit);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_TEACHER_QUERIES_H_
