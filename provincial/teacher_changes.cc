#include "provincial/teacher_changes.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/code_tables.h"
#include "common/record_validation.h"
#include "common/status_macros.h"

namespace ntmis::provincial {
namespace {

struct StoredTeacher {
  std::string state;
  v1::TeacherRecord record;
};

absl::StatusOr<StoredTeacher> Load(Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement s,
                   store.db().Prepare("SELECT state, record FROM teachers "
                                      "WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, s.BindAll(teacher_number).Step());
  if (!row) return absl::NotFoundError(absl::StrCat("no teacher ", teacher_number));
  StoredTeacher t;
  t.state = s.ColumnText(0);
  if (!t.record.ParseFromString(std::string(s.ColumnBlob(1))))
    return absl::DataLossError(absl::StrCat("stored record of ", teacher_number, " is unreadable"));
  return t;
}

absl::Status CheckValid(const v1::TeacherRecord& record) {
  std::vector<FieldProblem> problems = ValidateTeacherRecord(record);
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(
      problems, "; ", [](std::string* out, const FieldProblem& p) {
        absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
      }));
}

// Sets state (and optionally the record) of one teacher and appends to the
// outbox, in one transaction.
absl::Status Write(Store& store, const std::string& teacher_number, const char* state,
                   const v1::TeacherRecord* record, OutboxOp op, int moved_to) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  ASSIGN_OR_RETURN(sql::Statement update,
                   store.db().Prepare("UPDATE teachers SET state = ?, "
                                      "record = COALESCE(?, record), school_code = "
                                      "COALESCE(?, school_code), version = version + 1, "
                                      "updated_unix = ? WHERE teacher_number = ?"));
  update.Bind(1, state);
  if (record) {
    update.BindBlob(2, record->SerializeAsString()).Bind(3, record->school_code());
  }
  update.Bind(4, static_cast<int64_t>(std::time(nullptr))).Bind(5, teacher_number);
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(store.AppendOutbox(teacher_number, op, moved_to));
  return txn.Commit();
}

}  // namespace

absl::Status UpdateEffectiveRecord(Store& store, const v1::TeacherRecord& record) {
  ASSIGN_OR_RETURN(StoredTeacher current, Load(store, record.teacher_number()));
  if (current.state != kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", record.teacher_number(), " is ", current.state, ", not effective"));
  }
  if (record.province() != current.record.province() ||
      record.id_hash() != current.record.id_hash()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "teacher ", record.teacher_number(),
        ": the province and the ID-card number of a record cannot be changed here"));
  }
  RETURN_IF_ERROR(CheckValid(record));
  return Write(store, record.teacher_number(), kEffective, &record, OutboxOp::kUpsert, 0);
}

absl::Status WithdrawTeacher(Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(StoredTeacher current, Load(store, teacher_number));
  if (current.state != kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher_number, " is ", current.state, "; only an effective teacher "
        "can be withdrawn"));
  }
  return Write(store, teacher_number, kWithdrawn, nullptr, OutboxOp::kTombstone, 0);
}

absl::Status ReleaseTeacher(Store& store, const std::string& teacher_number, int to_province) {
  ASSIGN_OR_RETURN(StoredTeacher current, Load(store, teacher_number));
  if (!IsProvinceCode(to_province) || to_province == current.record.province()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a transfer needs another province's code (GB/T 2260, 11-66), not ", to_province));
  }
  if (current.state != kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher_number, " is ", current.state,
        "; only an effective teacher can transfer out"));
  }
  return Write(store, teacher_number, kTransferredOut, nullptr, OutboxOp::kTombstone,
               to_province);
}

absl::Status AdmitTransferredTeacher(Store& store, const v1::TeacherRecord& record,
                                     const std::string& id_sealed) {
  ASSIGN_OR_RETURN(std::string province, store.Province());
  if (absl::StrCat(static_cast<int>(record.province())) != province) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a teacher transferring in must carry this province (", province, "), not ",
        static_cast<int>(record.province())));
  }
  RETURN_IF_ERROR(CheckValid(record));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  // A teacher who left this province earlier comes back under the same row.
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store.db().Prepare(
                       "INSERT INTO teachers(teacher_number, id_hash, id_sealed, school_code, "
                       "state, record, version, updated_unix) VALUES (?, ?, ?, ?, ?, ?, 1, ?) "
                       "ON CONFLICT(teacher_number) DO UPDATE SET state = excluded.state, "
                       "record = excluded.record, school_code = excluded.school_code, "
                       "version = version + 1, updated_unix = excluded.updated_unix"));
  insert.BindAll(record.teacher_number()).BindBlob(2, record.id_hash()).BindBlob(3, id_sealed);
  insert.Bind(4, record.school_code()).Bind(5, kEffective).BindBlob(6, record.SerializeAsString());
  insert.Bind(7, static_cast<int64_t>(std::time(nullptr)));
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "the ID-card number of teacher ", record.teacher_number(),
        " is already registered here under another teacher number"));
  }
  RETURN_IF_ERROR(inserted);
  RETURN_IF_ERROR(store.AppendOutbox(record.teacher_number(), OutboxOp::kUpsert, 0));
  return txn.Commit();
}

absl::Status RequeueForSync(Store& store, const std::vector<std::string>& teacher_numbers) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  for (const std::string& number : teacher_numbers) {
    RETURN_IF_ERROR(store.AppendOutbox(number, OutboxOp::kUpsert, 0));
  }
  return txn.Commit();
}

}  // namespace ntmis::provincial
