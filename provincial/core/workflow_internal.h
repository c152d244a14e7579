// What the implementation files of Workflow share (workflow.cc: records
// through review; workflow_changes.cc: change requests; workflow_entries.cc:
// category entries; workflow_queries.cc: queues, lists, history). Included
// by those files only.
#ifndef NTMIS_PROVINCIAL_CORE_WORKFLOW_INTERNAL_H_
#define NTMIS_PROVINCIAL_CORE_WORKFLOW_INTERNAL_H_

#include <algorithm>
#include <ctime>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/teacher_number.h"
#include "provincial/core/access.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"
#include "provincial/core/workflow.h"

namespace ntmis::provincial {

inline absl::Status ProblemsError(const std::vector<FieldProblem>& problems,
                                  absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      what, absl::StrJoin(
                problems, "; ", [](std::string* out, const FieldProblem& p) {
                  absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
                })));
}

inline bool Blank(absl::string_view s) {
  return absl::StripAsciiWhitespace(s).empty();
}

inline uint32_t PageSize(uint32_t asked) {
  return asked == 0 ? 50 : std::min<uint32_t>(asked, 1000);
}

// Whether the template field of `record` holds a value yet (the ID-card
// number always does; records keep it only as its hash).
inline bool IsFilled(const v1::TeacherRecord& r, TeacherColumn column) {
  return column == kIdCardNumber || !TeacherFieldText(r, column).empty();
}

// The state of a record as the API shows it (TeacherView.state); a name
// this build does not know counts as withdrawn, which nothing may change.
inline TeacherState StateOf(const v1::TeacherView& teacher) {
  return ParseTeacherState(teacher.state()).value_or(TeacherState::kWithdrawn);
}

inline ChangeMeta Meta(const User& actor, std::string action,
                       std::string reason, std::string approved_by = "") {
  return ChangeMeta{actor.username, std::move(action), std::move(reason),
                    std::move(approved_by)};
}

// Page tokens are the sort key of the last row, '|'-separated.
inline std::vector<std::string> TokenParts(const std::string& token, size_t n) {
  std::vector<std::string> parts = absl::StrSplit(token, '|');
  parts.resize(n);
  return parts;
}

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_WORKFLOW_INTERNAL_H_
