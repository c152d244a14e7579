// Changes to teacher records the way production writes them, for tests and
// benches that need many at once without walking the review workflow or a
// transfer case for each: one version through WriteVersion, the hand-over
// out (HandOverTeacher) and the admission in (AdmitTeacher), each in its own
// transaction (provincial/core/teachers.h).
#ifndef NTMIS_TESTS_SUPPORT_TEACHER_CHANGES_H_
#define NTMIS_TESTS_SUPPORT_TEACHER_CHANGES_H_

#include <string>

#include "absl/status/status.h"
#include "common/base/status_macros.h"
#include "provincial/core/teachers.h"

namespace ntmis::testing {

// A new effective version of `record` (same number), as the last review
// step writes it; the outbox carries it.
inline absl::Status ChangeEffectiveRecord(provincial::Store& store,
                                          const v1::TeacherRecord& record) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  provincial::VersionWrite write;
  write.state = provincial::TeacherState::kEffective;
  write.record = &record;
  write.outbox = provincial::OutboxOp::kUpsert;
  write.meta.action = "teacher.update";
  RETURN_IF_ERROR(
      provincial::WriteVersion(store, record.teacher_number(), write));
  return txn.Commit();
}

// The sending province's side of a completed transfer to `to_province`.
inline absl::Status HandOver(provincial::Store& store,
                             const std::string& teacher_number,
                             int to_province) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  provincial::ChangeMeta meta;
  meta.action = "teacher.transfer_out";
  RETURN_IF_ERROR(
      provincial::HandOverTeacher(store, teacher_number, to_province, meta));
  return txn.Commit();
}

// The receiving province's side: the teacher keeps its number; the ID-card
// number arrives sealed under this node's key.
inline absl::Status Admit(provincial::Store& store,
                          const v1::TeacherRecord& record,
                          const std::string& id_sealed) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  provincial::ChangeMeta meta;
  meta.action = "teacher.transfer_in";
  RETURN_IF_ERROR(provincial::AdmitTeacher(store, record, id_sealed, meta));
  return txn.Commit();
}

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_SUPPORT_TEACHER_CHANGES_H_
