#include "provincial/core/teachers.h"

#include <ctime>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/teacher_number.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

absl::Status CheckValid(const v1::TeacherRecord& record) {
  std::vector<FieldProblem> problems = ValidateTeacherRecord(record);
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(
      problems, "; ", [](std::string* out, const FieldProblem& p) {
        absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
      }));
}

absl::Status Write(Store& store, const std::string& teacher_number,
                   TeacherState state, const v1::TeacherRecord* record,
                   OutboxOp op, int moved_to, ChangeMeta meta,
                   bool system = false) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  RETURN_IF_ERROR(
      WriteVersion(store, teacher_number,
                   {state, record, op, moved_to, std::move(meta), system}));
  return txn.Commit();
}

}  // namespace

absl::StatusOr<TeacherCreator> TeacherCreator::Begin(Store& store) {
  ASSIGN_OR_RETURN(std::string code, store.Province());
  int province = 0;
  if (!absl::SimpleAtoi(code, &province))
    return absl::DataLossError(
        absl::StrCat("the store's province '", code, "' is not a code"));
  ASSIGN_OR_RETURN(int64_t next, store.GetMetaInt(meta::kNextTeacherSeq, 1));
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store.db().Prepare(
          "INSERT INTO teachers(teacher_number, id_hash, id_sealed, "
          "school_code, "
          "state, record, version, updated_unix, provisional, changed_by, "
          "change_action, change_reason, name) VALUES (?, ?, ?, ?, ?, ?, 1, ?, "
          "?, ?, ?, ?, ?) "
          "ON CONFLICT DO NOTHING"));
  ASSIGN_OR_RETURN(
      sql::Statement find,
      store.db().Prepare(
          "SELECT teacher_number FROM teachers WHERE id_hash = ?"));
  return TeacherCreator(store, province, next, std::move(insert),
                        std::move(find));
}

absl::StatusOr<std::string> TeacherCreator::Create(const NewTeacher& t,
                                                   int64_t now_unix) {
  const bool minted = t.known == nullptr;
  std::string number =
      minted ? MintTeacherNumber(province_, next_) : t.known->teacher_number;
  // Field 1 (teacher_number, length-delimited) first, then the rest.
  std::string record;
  record.reserve(2 + number.size() + t.record_without_number.size());
  record.push_back(static_cast<char>((1 << 3) | 2));
  record.push_back(static_cast<char>(number.size()));
  record += number;
  record.append(t.record_without_number.data(), t.record_without_number.size());
  insert_.BindView(1, number)
      .BindBlobView(2, t.id_hash)
      .BindBlobView(3, t.id_sealed);
  insert_.BindView(4, t.school_code)
      .Bind(5, StateName(t.state))
      .BindBlobView(6, record);
  insert_.Bind(7, now_unix).Bind(8, t.provisional ? 1 : 0);
  insert_.BindView(9, t.actor).BindView(10, t.action).BindView(11, t.reason);
  insert_.BindView(12, t.name);
  RETURN_IF_ERROR(insert_.Run());
  if (store_->db().Changes() == 0) {
    // The ID-card number is already registered here, or (a reused national
    // number) another teacher here has that number.
    find_.BindBlobView(1, t.id_hash);
    ASSIGN_OR_RETURN(bool found, find_.Step());
    std::string existing = found ? find_.ColumnText(0) : "";
    find_.Reset();
    return absl::AlreadyExistsError(
        found ? absl::StrCat("此人已登记为教师 ", existing, "（一人一号）")
              : absl::StrCat("全国身份库中此人的教师编号为 ", number,
                             "，而本省另一名教师已使用该编号；请人工核查处理"));
  }
  if (t.state == TeacherState::kEffective)
    RETURN_IF_ERROR(store_->AppendOutbox(number, OutboxOp::kUpsert));
  if (minted) ++next_;
  return number;
}

absl::Status TeacherCreator::Finish() {
  return store_->SetMeta(meta::kNextTeacherSeq, absl::StrCat(next_));
}

absl::StatusOr<StoredTeacher> LoadTeacher(Store& store,
                                          const std::string& teacher_number) {
  ASSIGN_OR_RETURN(
      sql::Statement s,
      store.db().Prepare("SELECT state, version, record FROM teachers "
                         "WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, s.BindAll(teacher_number).Step());
  if (!row)
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", teacher_number, " 的教师"));
  StoredTeacher t;
  std::optional<TeacherState> state = ParseTeacherState(s.ColumnText(0));
  if (!state)
    return absl::DataLossError(absl::StrCat("teacher ", teacher_number,
                                            " has an unknown state '",
                                            s.ColumnText(0), "'"));
  t.state = *state;
  t.version = s.ColumnInt(1);
  if (!t.record.ParseFromString(std::string(s.ColumnBlob(2))))
    return absl::DataLossError(
        absl::StrCat("stored record of ", teacher_number, " is unreadable"));
  return t;
}

// Copies a teacher's current row into the history.
constexpr char kKeepVersion[] =
    "INSERT INTO teacher_versions(teacher_number, version, state, school_code, "
    "record, "
    "changed_by, change_action, change_reason, approved_by, at_unix) SELECT "
    "teacher_number, "
    "version, state, school_code, record, changed_by, change_action, "
    "change_reason, "
    "approved_by, updated_unix FROM teachers WHERE teacher_number = ?";

absl::Status LockForCase(Store& store, const std::string& teacher_number,
                         int64_t case_id) {
  ASSIGN_OR_RETURN(sql::Statement lock,
                   store.db().Prepare("UPDATE teachers SET locked_case = ? "
                                      "WHERE teacher_number = ?"));
  RETURN_IF_ERROR(lock.BindAll(case_id, teacher_number).Run());
  if (store.db().Changes() == 0)
    return absl::NotFoundError(
        absl::StrCat("没有教师编号为 ", teacher_number, " 的教师"));
  return absl::OkStatus();
}

absl::Status CheckNotLocked(Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement q,
                   store.db().Prepare("SELECT locked_case FROM teachers "
                                      "WHERE teacher_number = ?"));
  q.BindAll(teacher_number);
  int64_t locked = 0;
  RETURN_IF_ERROR(q.ForEachRow([&] { locked = q.ColumnInt(0); }));
  if (locked == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("教师 ", teacher_number, " 有进行中的调动（第 ", locked,
                   " 号）：调动办结、退回或撤回之前，不能修改其信息"));
}

absl::Status WriteVersion(Store& store, const std::string& teacher_number,
                          const VersionWrite& write) {
  if (!write.system) RETURN_IF_ERROR(CheckNotLocked(store, teacher_number));
  ASSIGN_OR_RETURN(sql::Statement keep, store.db().Prepare(kKeepVersion));
  RETURN_IF_ERROR(keep.BindAll(teacher_number).Run());
  if (store.db().Changes() == 0)
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", teacher_number, " 的教师"));
  ASSIGN_OR_RETURN(
      sql::Statement update,
      store.db().Prepare("UPDATE teachers SET state = ?, "
                         "record = COALESCE(?, record), school_code = "
                         "COALESCE(?, school_code), version = version + 1, "
                         "updated_unix = ?, changed_by = ?, change_action = ?, "
                         "change_reason = ?, approved_by = ?, "
                         "name = COALESCE(?, name) WHERE teacher_number = ?"));
  update.Bind(1, StateName(write.state));
  if (write.record) {
    update.BindBlob(2, write.record->SerializeAsString())
        .Bind(3, write.record->school_code())
        .Bind(9, write.record->name());
  }
  update.Bind(4, static_cast<int64_t>(std::time(nullptr)));
  update.Bind(5, write.meta.actor)
      .Bind(6, write.meta.action)
      .Bind(7, write.meta.reason);
  update.Bind(8, write.meta.approved_by).Bind(10, teacher_number);
  RETURN_IF_ERROR(update.Run());
  if (write.outbox) {
    RETURN_IF_ERROR(
        store.AppendOutbox(teacher_number, *write.outbox, write.moved_to));
  }
  return absl::OkStatus();
}

absl::Status RelocateSchoolTeachers(Store& store,
                                    const std::string& school_code,
                                    const std::string& city_code,
                                    const std::string& county_code) {
  std::vector<std::string> numbers;
  {
    ASSIGN_OR_RETURN(sql::Statement list,
                     store.db().Prepare("SELECT teacher_number FROM teachers "
                                        "WHERE school_code = ?"));
    list.BindAll(school_code);
    RETURN_IF_ERROR(
        list.ForEachRow([&] { numbers.push_back(list.ColumnText(0)); }));
  }
  for (const std::string& number : numbers) {
    ASSIGN_OR_RETURN(StoredTeacher t, LoadTeacher(store, number));
    t.record.set_city_code(city_code);
    t.record.set_county_code(county_code);
    std::optional<OutboxOp> outbox;
    if (t.state == TeacherState::kEffective) outbox = OutboxOp::kUpsert;
    ChangeMeta meta;
    meta.action = "unit.move";
    meta.reason =
        absl::StrCat("school ", school_code, " moved to county ", county_code);
    RETURN_IF_ERROR(WriteVersion(
        store, number, {t.state, &t.record, outbox, 0, std::move(meta), true}));
  }
  return absl::OkStatus();
}

absl::Status MoveTeacherToSchool(Store& store,
                                 const std::string& teacher_number,
                                 const std::string& school_code,
                                 const ChangeMeta& meta) {
  ASSIGN_OR_RETURN(StoredTeacher current, LoadTeacher(store, teacher_number));
  if (current.state != TeacherState::kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher_number, " 的记录为「", StateLabel(current.state),
        "」：只有已生效的记录可以调动"));
  }
  ASSIGN_OR_RETURN(std::optional<SchoolPlace> place,
                   LoadSchool(store, school_code));
  const std::string refused =
      SchoolTakesTeachersRule(school_code, place ? &*place : nullptr);
  if (!refused.empty()) return absl::FailedPreconditionError(refused);
  v1::TeacherRecord record = current.record;
  record.set_school_code(school_code);
  record.set_city_code(place->city_code);
  record.set_county_code(place->county_code);
  record.set_school_category(place->category);
  RETURN_IF_ERROR(CheckValid(record));
  return WriteVersion(
      store, teacher_number,
      {TeacherState::kEffective, &record, OutboxOp::kUpsert, 0, meta});
}

absl::Status ChangeServiceStatus(Store& store,
                                 const std::string& teacher_number,
                                 v1::InServiceStatus status, bool in_service,
                                 const ChangeMeta& meta) {
  ASSIGN_OR_RETURN(StoredTeacher current, LoadTeacher(store, teacher_number));
  if (current.state != TeacherState::kEffective &&
      current.state != TeacherState::kWithdrawn) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher_number, " 的记录为「", StateLabel(current.state),
        "」：在职情况变动只用于已生效（或已退出）的记录；草稿请直接修改任职状"
        "态"));
  }
  v1::TeacherRecord record = current.record;
  record.set_status(status);
  if (in_service) RETURN_IF_ERROR(CheckValid(record));
  return WriteVersion(
      store, teacher_number,
      {in_service ? TeacherState::kEffective : TeacherState::kWithdrawn,
       &record, in_service ? OutboxOp::kUpsert : OutboxOp::kTombstone, 0,
       meta});
}

absl::Status WithdrawTeacher(Store& store, const std::string& teacher_number,
                             const ChangeMeta& meta) {
  ASSIGN_OR_RETURN(StoredTeacher current, LoadTeacher(store, teacher_number));
  if (current.state != TeacherState::kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher_number, " 的记录为「", StateLabel(current.state),
        "」：只有已生效的记录可以退出"));
  }
  ChangeMeta withdraw = meta;
  if (withdraw.action.empty()) withdraw.action = "teacher.withdraw";
  return Write(store, teacher_number, TeacherState::kWithdrawn, nullptr,
               OutboxOp::kTombstone, 0, withdraw);
}

absl::StatusOr<std::string> LoadSealedIdCard(
    Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(
          "SELECT id_sealed FROM teachers WHERE teacher_number = ?"));
  q.BindAll(teacher_number);
  std::optional<std::string> sealed;
  RETURN_IF_ERROR(q.ForEachRow([&] { sealed = std::string(q.ColumnBlob(0)); }));
  if (!sealed)
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", teacher_number, " 的教师"));
  return *sealed;
}

absl::Status HandOverTeacher(Store& store, const std::string& teacher_number,
                             int to_province, const ChangeMeta& meta) {
  ASSIGN_OR_RETURN(StoredTeacher current, LoadTeacher(store, teacher_number));
  if (!IsProvinceCode(to_province) ||
      to_province == current.record.province()) {
    return absl::InvalidArgumentError(
        absl::StrCat("跨省调动须调往另一个省份（GB/T 2260 代码 11–66），不是 ",
                     to_province));
  }
  if (current.state != TeacherState::kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher_number, " 的记录为「", StateLabel(current.state),
        "」：只有已生效的记录可以调出"));
  }
  return WriteVersion(
      store, teacher_number,
      {TeacherState::kTransferredOut, nullptr, OutboxOp::kTombstone,
       to_province, meta, /*system=*/true});
}

absl::Status AdmitTeacher(Store& store, const v1::TeacherRecord& record,
                          const std::string& id_sealed,
                          const ChangeMeta& meta) {
  ASSIGN_OR_RETURN(std::string province, store.Province());
  if (absl::StrCat(static_cast<int>(record.province())) != province) {
    return absl::InvalidArgumentError(
        absl::StrCat("调入的教师须属于本省（", province, "），不是 ",
                     static_cast<int>(record.province())));
  }
  RETURN_IF_ERROR(CheckValid(record));
  // A teacher who left this province earlier comes back under the same row;
  // the row as it was stays in the history.
  ASSIGN_OR_RETURN(sql::Statement keep, store.db().Prepare(kKeepVersion));
  RETURN_IF_ERROR(keep.BindAll(record.teacher_number()).Run());
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store.db().Prepare(
          "INSERT INTO teachers(teacher_number, id_hash, id_sealed, "
          "school_code, "
          "state, record, version, updated_unix, changed_by, change_action, "
          "change_reason, approved_by, name) VALUES (?, ?, ?, ?, ?, ?, 1, ?, "
          "?, ?, ?, ?, ?) "
          "ON CONFLICT(teacher_number) DO UPDATE SET state = excluded.state, "
          "record = excluded.record, school_code = excluded.school_code, "
          "name = excluded.name, "
          "version = version + 1, updated_unix = excluded.updated_unix, "
          "changed_by = excluded.changed_by, change_action = "
          "excluded.change_action, "
          "change_reason = excluded.change_reason, "
          "approved_by = excluded.approved_by, locked_case = 0"));
  insert.BindAll(record.teacher_number())
      .BindBlob(2, record.id_hash())
      .BindBlob(3, id_sealed);
  insert.Bind(4, record.school_code())
      .Bind(5, StateName(TeacherState::kEffective))
      .BindBlob(6, record.SerializeAsString());
  insert.Bind(7, static_cast<int64_t>(std::time(nullptr)));
  insert.Bind(8, meta.actor)
      .Bind(9, meta.action)
      .Bind(10, meta.reason)
      .Bind(11, meta.approved_by)
      .Bind(12, record.name());
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "调入教师 ", record.teacher_number(),
        " 的身份证件号码已在本省登记为另一个教师编号：请人工核查处理"));
  }
  RETURN_IF_ERROR(inserted);
  return store.AppendOutbox(record.teacher_number(), OutboxOp::kUpsert, 0);
}

absl::Status RequeueForSync(Store& store,
                            const std::vector<std::string>& teacher_numbers) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  for (const std::string& number : teacher_numbers) {
    RETURN_IF_ERROR(store.AppendOutbox(number, OutboxOp::kUpsert, 0));
  }
  return txn.Commit();
}

absl::Status SettleProvisional(Store& store,
                               const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement settle,
                   store.db().Prepare("UPDATE teachers SET provisional = 0 "
                                      "WHERE teacher_number = ?"));
  return settle.BindAll(teacher_number).Run();
}

absl::Status RenumberTeacher(Store& store, const std::string& from,
                             const std::string& to) {
  sql::Database& db = store.db();
  ASSIGN_OR_RETURN(
      sql::Statement taken,
      db.Prepare(
          "SELECT EXISTS (SELECT 1 FROM teachers WHERE teacher_number = ?)"));
  ASSIGN_OR_RETURN(bool row, taken.BindAll(to).Step());
  if (row && taken.ColumnInt(0) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("教师 ", from, " 在全国身份库中的编号为 ", to,
                     "，而本省另一名教师已使用该编号：请人工核查处理"));
  }
  ASSIGN_OR_RETURN(StoredTeacher current, LoadTeacher(store, from));
  current.record.set_teacher_number(to);
  ASSIGN_OR_RETURN(
      sql::Statement update,
      db.Prepare("UPDATE teachers SET teacher_number = ?, record = ?, "
                 "provisional = 0 WHERE teacher_number = ?"));
  RETURN_IF_ERROR(update.Bind(1, to)
                      .BindBlob(2, current.record.SerializeAsString())
                      .Bind(3, from)
                      .Run());
  // Its history, entries, change requests and self-service account follow
  // (past versions keep the record as it was, provisional number included).
  for (const char* table : {"outbox", "teacher_versions", "teacher_entries",
                            "entry_versions", "change_requests", "users"}) {
    ASSIGN_OR_RETURN(sql::Statement follow,
                     db.Prepare(absl::StrCat(
                         "UPDATE ", table,
                         " SET teacher_number = ? WHERE teacher_number = ?")));
    RETURN_IF_ERROR(follow.BindAll(to, from).Run());
  }
  ASSIGN_OR_RETURN(
      sql::Statement account,
      db.Prepare("UPDATE users SET username = ? WHERE username = ? AND "
                 "role = 'teacher'"));
  return account.BindAll(to, from).Run();
}

}  // namespace ntmis::provincial
