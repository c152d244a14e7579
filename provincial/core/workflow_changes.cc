#include "provincial/core/workflow.h"
#include "provincial/core/workflow_internal.h"

namespace ntmis::provincial {

absl::StatusOr<std::string> Workflow::ChangeReviewer(
    const User& actor, const std::string& school_code, bool addition) {
  // Additions and a teacher's own changes: the school decides.
  if (addition || actor.role == Role::kTeacher) return school_code;
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, actor.unit_code));
  return unit.level == UnitLevel::kProvince ? unit.code : unit.parent_code;
}

absl::StatusOr<v1::ChangeRequestView> Workflow::LoadChange(uint64_t id) {
  ASSIGN_OR_RETURN(
      sql::Statement find,
      store_.db().Prepare(
          "SELECT id, teacher_number, kind, state, fields, reviewer_unit, "
          "requested_by, reason, requested_unix, decided_by, decision_reason, "
          "decided_unix, category, entry_no, delete_entry FROM change_requests "
          "WHERE id = ?"));
  ASSIGN_OR_RETURN(bool row, find.BindAll(id).Step());
  if (!row)
    return absl::NotFoundError(absl::StrCat("没有第 ", id, " 号变更申请"));
  v1::ChangeRequestView view;
  view.set_id(find.ColumnInt(0));
  view.set_teacher_number(find.ColumnText(1));
  view.set_kind(find.ColumnText(2));
  view.set_state(find.ColumnText(3));
  v1::EditTeacherRequest fields;
  ASSIGN_OR_RETURN(std::string bytes, store_.OpenAtRest(find.ColumnBlob(4)));
  fields.ParseFromString(bytes);
  *view.mutable_fields() = fields.fields();
  view.set_reviewer_unit(find.ColumnText(5));
  view.set_requested_by(find.ColumnText(6));
  view.set_reason(find.ColumnText(7));
  view.set_requested_unix(find.ColumnInt(8));
  view.set_decided_by(find.ColumnText(9));
  view.set_decision_reason(find.ColumnText(10));
  view.set_decided_unix(find.ColumnInt(11));
  view.set_category(find.ColumnText(12));
  view.set_entry_no(find.ColumnInt(13));
  view.set_delete_entry(find.ColumnInt(14) != 0);
  return view;
}

absl::StatusOr<v1::ChangeRequestView> Workflow::RequestChange(
    const User& actor, const v1::EditTeacherRequest& request) {
  if (Blank(request.reason()))
    return absl::InvalidArgumentError("变更申请须填写原因");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (StateOf(teacher) != TeacherState::kEffective) {
    return absl::FailedPreconditionError(
        absl::StrCat("教师 ", teacher.teacher_number(), " 的记录为「",
                     StateLabel(StateOf(teacher)),
                     "」：变更申请只用于已生效的记录；未生效的记录请直接修改"));
  }
  v1::TeacherRecord record = teacher.record();
  RETURN_IF_ERROR(ApplyFields(actor, request, record));
  std::vector<FieldProblem> invalid = ValidateTeacherRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  bool addition = true;
  for (const v1::FieldValue& f : request.fields()) {
    addition =
        addition && !IsFilled(teacher.record(), *ColumnByName(f.field()));
  }
  ASSIGN_OR_RETURN(
      std::string reviewer,
      ChangeReviewer(actor, teacher.record().school_code(), addition));
  ChangeTarget target;
  target.kind = addition ? "addition" : "change";
  ASSIGN_OR_RETURN(uint64_t id,
                   InsertChange(actor, teacher, reviewer, request.fields(),
                                request.reason(), target));
  RETURN_IF_ERROR(txn.Commit());
  return LoadChange(id);
}

absl::Status Workflow::CheckNoPendingChange(
    const std::string& teacher_number,
    const google::protobuf::RepeatedPtrField<v1::FieldValue>& fields,
    const ChangeTarget& target) {
  if (!target.category.empty() && target.entry_no == 0)
    return absl::OkStatus();  // a new entry waits beside any other
  ASSIGN_OR_RETURN(std::vector<v1::ChangeRequestView> changes,
                   ChangeRequests(teacher_number));
  for (const v1::ChangeRequestView& c : changes) {
    if (c.state() != "pending" || c.category() != target.category) continue;
    bool same = !target.category.empty() && c.entry_no() == target.entry_no;
    for (const v1::FieldValue& mine : fields)
      for (const v1::FieldValue& theirs : c.fields())
        same =
            same || (target.category.empty() && mine.field() == theirs.field());
    if (!same) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        target.category.empty()
            ? "这些信息"
            : absl::StrCat("这一条（第 ", target.entry_no, " 条）"),
        "已有一项待审核的变更申请（编号 ", c.id(), "，", c.requested_by(),
        " 提出）；请等它审核后再提，或请审核人先处理"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Workflow::InsertChange(
    const User& actor, const v1::TeacherView& teacher,
    const std::string& reviewer,
    const google::protobuf::RepeatedPtrField<v1::FieldValue>& fields,
    const std::string& reason, const ChangeTarget& target) {
  RETURN_IF_ERROR(CheckNotLocked(store_, teacher.teacher_number()));
  RETURN_IF_ERROR(
      CheckNoPendingChange(teacher.teacher_number(), fields, target));
  v1::EditTeacherRequest stored;
  *stored.mutable_fields() = fields;
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store_.db().Prepare("INSERT INTO change_requests(teacher_number, kind, "
                          "fields, base_version, "
                          "reviewer_unit, state, requested_by, reason, "
                          "requested_unix, category, "
                          "entry_no, delete_entry) VALUES (?, ?, ?, ?, ?, "
                          "'pending', ?, ?, ?, ?, ?, "
                          "?)"));
  insert.Bind(1, teacher.teacher_number()).Bind(2, target.kind);
  ASSIGN_OR_RETURN(std::string sealed,
                   store_.SealAtRest(stored.SerializeAsString()));
  insert.BindBlob(3, sealed).Bind(4, int64_t{teacher.version()});
  insert.Bind(5, reviewer).Bind(6, actor.username).Bind(7, reason);
  insert.Bind(8, static_cast<int64_t>(std::time(nullptr)));
  insert.Bind(9, target.category)
      .Bind(10, target.entry_no)
      .Bind(11, target.delete_entry ? 1 : 0);
  RETURN_IF_ERROR(insert.Run());
  return static_cast<uint64_t>(store_.db().LastInsertRowId());
}

absl::StatusOr<v1::ChangeRequestView> Workflow::DecideChange(
    const User& actor, const v1::DecideChangeRequest& request) {
  if (!request.approve() && Blank(request.reason()))
    return absl::InvalidArgumentError("驳回变更申请须填写原因");
  RETURN_IF_ERROR(
      CheckRole(actor, {Role::kManager, Role::kSysAdmin}, "审核变更申请"));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::ChangeRequestView change, LoadChange(request.id()));
  // A school decides through its responsible person (system administrator)
  // or an information manager; a county or above through its managers.
  if (actor.role == Role::kSysAdmin) {
    ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, change.reviewer_unit()));
    if (unit.level != UnitLevel::kSchool) {
      return absl::PermissionDeniedError(absl::StrCat(
          "变更申请 ", change.id(), " 由 ", UnitLevelLabel(unit.level), " ",
          unit.code, " 的信息管理员审核；系统管理员只审核本校的申请"));
    }
  }
  if (change.state() != "pending") {
    return absl::FailedPreconditionError(
        absl::StrCat("变更申请 ", change.id(), " 已处理（",
                     change.state() == "approved" ? "已通过" : "已驳回", "）"));
  }
  if (actor.unit_code != change.reviewer_unit()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "变更申请 ", change.id(), " 由单位 ", change.reviewer_unit(), " 审核；",
        actor.username, " 属于单位 ", actor.unit_code));
  }
  if (change.requested_by() == actor.username) {
    return absl::PermissionDeniedError(absl::StrCat(
        actor.username, " 提出了变更申请 ", change.id(),
        "，不能再由本人审核（谁填报谁负责、谁审核谁负责：申请人与审核人须为"
        "不同的人）；请由单位 ",
        change.reviewer_unit(),
        " 的负责人（学校的系统管理员账号）或另一位信息管理员审核"));
  }
  if (request.approve() && !change.category().empty()) {
    RETURN_IF_ERROR(ApplyEntryChange(change, actor));
  } else if (request.approve()) {
    ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(change.teacher_number()));
    if (StateOf(teacher) != TeacherState::kEffective) {
      return absl::FailedPreconditionError(absl::StrCat(
          "教师 ", teacher.teacher_number(), " 的记录已不是已生效（现为「",
          StateLabel(StateOf(teacher)), "」），这项变更不能再通过"));
    }
    v1::TeacherRecord record = teacher.record();
    for (const v1::FieldValue& f : change.fields()) {
      ASSIGN_OR_RETURN(TeacherColumn column, ColumnByName(f.field()));
      RETURN_IF_ERROR(SetTeacherField(record, column, f.value()));
    }
    std::vector<FieldProblem> invalid = ValidateTeacherRecord(record);
    if (!invalid.empty()) return ProblemsError(invalid, "");
    RETURN_IF_ERROR(
        WriteVersion(store_, teacher.teacher_number(),
                     {TeacherState::kEffective, &record, OutboxOp::kUpsert, 0,
                      ChangeMeta{change.requested_by(),
                                 absl::StrCat("change.", change.kind()),
                                 change.reason(), actor.username}}));
  }
  ASSIGN_OR_RETURN(sql::Statement decide,
                   store_.db().Prepare(
                       "UPDATE change_requests SET state = ?, decided_by = ?, "
                       "decision_reason = ?, decided_unix = ? WHERE id = ?"));
  decide.BindAll(request.approve() ? "approved" : "rejected", actor.username,
                 request.reason(), static_cast<int64_t>(std::time(nullptr)),
                 change.id());
  RETURN_IF_ERROR(decide.Run());
  RETURN_IF_ERROR(txn.Commit());
  return LoadChange(change.id());
}

}  // namespace ntmis::provincial
