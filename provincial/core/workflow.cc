#include "provincial/core/workflow.h"

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
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"
#include "provincial/core/workflow_internal.h"

namespace ntmis::provincial {
absl::StatusOr<std::unique_ptr<Workflow>> Workflow::Create(
    Store& store, const IdKeys& keys, IdentityResolver* resolver) {
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::Sealer> sealer,
                   crypto::Sealer::Create(keys.seal_key));
  return std::unique_ptr<Workflow>(
      new Workflow(store, keys, std::move(sealer), resolver));
}

absl::StatusOr<v1::TeacherView> Workflow::Load(
    const std::string& teacher_number) {
  return LoadTeacherView(store_, teacher_number);
}

absl::Status Workflow::CheckEnters(const User& actor,
                                   const v1::TeacherView& teacher) {
  if (actor.role == Role::kTeacher) {
    return CheckReadTeacher(store_, actor, teacher.record().school_code(),
                            teacher.teacher_number());
  }
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "录入教师信息"));
  return CheckWithin(store_, actor, teacher.record().school_code());
}

absl::Status Workflow::ApplyFields(const User& actor,
                                   const v1::EditTeacherRequest& request,
                                   v1::TeacherRecord& record) {
  if (request.fields().empty())
    return absl::InvalidArgumentError("没有给出要修改的字段");
  for (const v1::FieldValue& f : request.fields()) {
    ASSIGN_OR_RETURN(TeacherColumn column, ColumnByName(f.field()));
    FieldWriter writer = WriterOf(column);
    if (writer == FieldWriter::kFixed) {
      return absl::InvalidArgumentError(
          absl::StrCat(f.field(), "='': ",
                       "在建立记录时确定，不能修改（性别、出生日期来自身份证件"
                       "号码；换学校请办理调动）"));
    }
    if (writer == FieldWriter::kStaff && actor.role == Role::kTeacher) {
      return absl::PermissionDeniedError(absl::StrCat(
          f.field(), "='': 由学校或教育行政部门填写；教师本人可填写：", [] {
            std::vector<std::string> names;
            for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
              if (WriterOf(static_cast<TeacherColumn>(c)) ==
                  FieldWriter::kTeacher)
                names.push_back(TeacherTemplate()[c].label);
            }
            return absl::StrJoin(names, ", ");
          }()));
    }
    RETURN_IF_ERROR(SetTeacherField(record, column, f.value()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::TeacherView> Workflow::CreateTeacher(
    const User& actor, const v1::CreateTeacherRequest& req) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "新建教师"));
  ASSIGN_OR_RETURN(Unit school, LoadUnit(store_, req.school_code()));
  RETURN_IF_ERROR(CheckWithin(store_, actor, school.code));
  ASSIGN_OR_RETURN(std::optional<SchoolPlace> place,
                   LoadSchool(store_, school.code));
  if (std::string rule =
          SchoolTakesTeachersRule(school.code, place ? &*place : nullptr);
      !rule.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("school_code='", req.school_code(), "': ", rule));
  }
  ASSIGN_OR_RETURN(std::string province_text, store_.Province());
  int province = 0;
  (void)absl::SimpleAtoi(province_text, &province);

  v1::TeacherRecord record;
  record.set_province(static_cast<v1::Province>(province));
  std::vector<std::string> problems;
  auto note = [&problems](const absl::Status& s) {
    if (!s.ok()) problems.push_back(std::string(s.message()));
  };
  note(SetTeacherField(record, kName, req.name()));
  note(SetTeacherField(record, kGender, req.gender()));
  note(SetTeacherField(record, kBirthDate, req.birth_date()));
  std::string id_card =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(req.id_card_number()));
  absl::StatusOr<IdCardInfo> id = ParseIdCard(id_card);
  if (!id.ok()) {
    problems.push_back(absl::StrCat("id_card_number='", MaskIdCard(id_card),
                                    "': ", id.status().message()));
  } else {
    if (!record.birth_date().empty() &&
        id->birth_date.ToString() != record.birth_date())
      problems.push_back(
          absl::StrCat("birth_date='", record.birth_date(),
                       "': 须与身份证件号码第 7–14 位的出生日期一致"));
    if (record.gender() != 0 && id->gender != record.gender())
      problems.push_back(absl::StrCat(
          "gender='", req.gender(),
          "': 须与身份证件号码第 17 位一致（奇数为男，偶数为女）"));
  }
  if (!problems.empty())
    return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  record.set_id_type(v1::ID_TYPE_RESIDENT_ID_CARD);
  record.set_id_hash(id_hasher_.Sign(id_card));
  record.set_school_code(school.code);
  record.set_county_code(place->county_code);
  record.set_city_code(place->city_code);
  record.set_school_category(place->category);
  record.set_teacher_number(
      MintTeacherNumber(province, 0));  // checked with the rest
  std::vector<FieldProblem> invalid = ValidateDraftRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  ASSIGN_OR_RETURN(std::string sealed, sealer_->Seal(id_card));

  // One person, one number: asked before the write transaction.
  std::optional<KnownIdentity> known;
  bool provisional = resolver_ == nullptr;
  if (resolver_ != nullptr) {
    auto answer = resolver_->Resolve({record.id_hash()});
    if (answer.ok()) {
      known = (*answer)[0];
    } else {
      provisional = true;
    }
  }

  record.clear_teacher_number();  // the creator mints or reuses it
  const std::string rest = record.SerializeAsString();
  NewTeacher teacher;
  teacher.id_hash = record.id_hash();
  teacher.id_sealed = sealed;
  teacher.school_code = school.code;
  teacher.record_without_number = rest;
  teacher.name = record.name();
  teacher.state = TeacherState::kDraft;
  teacher.provisional = provisional;
  teacher.known = known ? &*known : nullptr;
  teacher.actor = actor.username;
  teacher.action = "teacher.create";
  if (known) {
    teacher.reason =
        absl::StrCat("national number of a person owned by province ",
                     known->owner_province);
  }
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(TeacherCreator creator, TeacherCreator::Begin(store_));
  absl::StatusOr<std::string> number =
      creator.Create(teacher, std::time(nullptr));
  if (absl::IsAlreadyExists(number.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat("id_card_number='", MaskIdCard(id_card),
                     "': ", number.status().message()));
  }
  RETURN_IF_ERROR(number.status());
  RETURN_IF_ERROR(creator.Finish());
  RETURN_IF_ERROR(txn.Commit());
  return Load(*number);
}

absl::StatusOr<v1::TeacherView> Workflow::Edit(
    const User& actor, const v1::EditTeacherRequest& request) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (!IsEditable(StateOf(teacher))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher.teacher_number(), " 的记录状态为「",
        StateLabel(StateOf(teacher)),
        "」：只有草稿或已退回的记录可以直接修改；已生效的记录请提出变更申请"));
  }
  v1::TeacherRecord record = teacher.record();
  RETURN_IF_ERROR(ApplyFields(actor, request, record));
  std::vector<FieldProblem> invalid = ValidateDraftRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  RETURN_IF_ERROR(
      WriteVersion(store_, teacher.teacher_number(),
                   {StateOf(teacher), &record, std::nullopt, 0,
                    Meta(actor, "teacher.edit", request.reason())}));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher.teacher_number());
}

absl::StatusOr<v1::TeacherView> Workflow::Submit(
    const User& actor, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(teacher_number));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (!IsEditable(StateOf(teacher))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher_number, " 的记录状态为「",
        StateLabel(StateOf(teacher)), "」：只有草稿或已退回的记录可以提交"));
  }
  // Completeness: every field and category of the record's indicator set.
  ASSIGN_OR_RETURN(std::vector<std::string> missing, Missing(teacher));
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("信息不完整，请先填写：", absl::StrJoin(missing, "；")));
  }
  RETURN_IF_ERROR(WriteVersion(store_, teacher_number,
                               {TeacherState::kSubmitted, nullptr, std::nullopt,
                                0, Meta(actor, "teacher.submit", "")}));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher_number);
}

absl::StatusOr<v1::TeacherView> Workflow::Review(
    const User& actor, const v1::ReviewRequest& request) {
  const bool approve = request.decision() == v1::ReviewRequest::APPROVE;
  if (!approve && request.decision() != v1::ReviewRequest::RETURN)
    return absl::InvalidArgumentError(
        "审核结论须为 APPROVE（通过）或 RETURN（退回）");
  if (!approve && Blank(request.reason()))
    return absl::InvalidArgumentError("退回须填写原因");
  RETURN_IF_ERROR(
      CheckRole(actor, {Role::kManager, Role::kSysAdmin}, "审核教师信息"));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  const std::string& school = teacher.record().school_code();
  RETURN_IF_ERROR(CheckWithin(store_, actor, school));
  ASSIGN_OR_RETURN(Unit school_unit, LoadUnit(store_, school));
  VersionWrite write;
  if (StateOf(teacher) == TeacherState::kSubmitted) {
    if (actor.unit_code != school) {
      return absl::PermissionDeniedError(absl::StrCat(
          "教师 ", teacher.teacher_number(), " 等待学校 ", school, " 审核；",
          actor.username, " 属于单位 ", actor.unit_code));
    }
    // The school step: the school's responsible person (its system
    // administrator account) or another information manager of the school
    // (docs/operator-guide.md, "Who reviews").
    if (approve && teacher.change_action() == "teacher.submit" &&
        teacher.changed_by() == actor.username) {
      return absl::PermissionDeniedError(
          absl::StrCat(actor.username, " 提交了教师 ", teacher.teacher_number(),
                       " 的记录，不能再由本人审核通过（谁填报谁负责、谁审核谁负"
                       "责：提交人与审核人须为不同的人）；"
                       "请由学校 ",
                       school,
                       " 的负责人（系统管理员账号）或另一位信息管理员审核通过"
                       "或退回"));
    }
    write.state =
        approve ? TeacherState::kSchoolApproved : TeacherState::kReturned;
    write.meta =
        Meta(actor, approve ? "review.school_approve" : "review.return",
             request.reason(), approve ? actor.username : "");
  } else if (StateOf(teacher) == TeacherState::kSchoolApproved) {
    if (actor.unit_code != school_unit.parent_code) {
      return absl::PermissionDeniedError(
          absl::StrCat("教师 ", teacher.teacher_number(), " 等待区县 ",
                       school_unit.parent_code, " 复核；", actor.username,
                       " 属于单位 ", actor.unit_code));
    }
    // The county's re-check is its personnel office's: information managers.
    RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "区县复核"));
    write.state = approve ? TeacherState::kEffective : TeacherState::kReturned;
    if (approve) write.outbox = OutboxOp::kUpsert;
    write.meta =
        Meta(actor, approve ? "review.county_approve" : "review.return",
             request.reason(), approve ? actor.username : "");
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("教师 ", teacher.teacher_number(), " 的记录状态为「",
                     StateLabel(StateOf(teacher)),
                     "」：只有已提交或学校已审核的记录可以审核"));
  }
  RETURN_IF_ERROR(WriteVersion(store_, teacher.teacher_number(), write));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher.teacher_number());
}

absl::Status Workflow::Withdraw(const User& actor,
                                const std::string& teacher_number,
                                const std::string& reason) {
  ASSIGN_OR_RETURN(std::string province, store_.Province());
  RETURN_IF_ERROR(CheckProvinceLevel(
      actor, province, {Role::kSysAdmin, Role::kManager}, "teacher.withdraw"));
  if (absl::StripAsciiWhitespace(reason).empty())
    return absl::InvalidArgumentError("撤销教师记录须填写原因");
  return WithdrawTeacher(
      store_, teacher_number,
      ChangeMeta{actor.username, "teacher.withdraw", reason, ""});
}

}  // namespace ntmis::provincial
