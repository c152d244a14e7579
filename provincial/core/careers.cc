// Cases and their steps: storage, decisions, withdrawal, lists
// (provincial/core/careers.h). The three filings are in career_filing.cc,
// the rotation report in rotation_report.cc.
#include "provincial/core/careers.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "provincial/core/access.h"
#include "provincial/core/careers_internal.h"
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {

CareerSettings CareerSettingsFrom(const v1::CareerSettings& config) {
  CareerSettings s;
  s.transfer_city_review = config.transfer_city_review();
  if (config.backdate_days() > 0)
    s.backdate_days = static_cast<int>(config.backdate_days());
  if (config.rotation_years() > 0)
    s.rotation_years = static_cast<int>(config.rotation_years());
  return s;
}

const char* CareerKindLabel(v1::CareerKind kind) {
  switch (kind) {
    case v1::CAREER_TRANSFER:
      return "调动";
    case v1::CAREER_STATUS_CHANGE:
      return "在职情况变动";
    case v1::CAREER_ROTATION:
      return "交流轮岗";
    default:
      return "申请";
  }
}

std::string TodayText() { return Today().ToString(); }

std::string CareerStateLabel(const v1::CareerCase& c) {
  if (c.state() == kCaseOpen) {
    if (c.step() >= static_cast<uint32_t>(c.steps_size())) return "审核中";
    const v1::CareerStep& step = c.steps(static_cast<int>(c.step()));
    if (IsRemoteStep(step)) {
      // Where the other province has got to, as last relayed.
      for (const v1::CareerStep& s : c.remote_steps())
        if (s.decision().empty())
          return absl::StrCat("待调出省份「", s.unit_name(), "」审核");
      return "待调出省份审核（经国家节点转递）";
    }
    return absl::StrCat("待「", step.unit_name(), "」",
                        step.role() == kFilingStepRole ? "调档" : "审核");
  }
  if (c.state() == kCaseScheduled)
    return absl::StrCat("已批准，", c.effective_date(), " 生效");
  if (c.state() == kCaseCompleted) return "已办结";
  if (c.state() == kCaseReturned) return "已退回";
  if (c.state() == kCaseWithdrawn) return "已撤回";
  if (c.state() == kCaseEnded) return "已提前结束";
  if (c.state() == kCaseInEffect) {
    const std::string today = TodayText();
    if (today < c.start_date()) return "已批准，待开始";
    if (today > c.end_date()) return "已结束";
    return "轮岗中";
  }
  return c.state();
}

Careers::Careers(Store& store, const IdKeys& keys, CareerSettings settings,
                 IdentityResolver* resolver)
    : store_(store),
      id_hasher_(keys.hash_key),
      seal_key_(keys.seal_key),
      settings_(settings),
      resolver_(resolver) {}

void Careers::Describe(v1::CareerCase& c) {
  c.set_kind_label(CareerKindLabel(c.kind()));
  c.set_state_label(CareerStateLabel(c));
  auto name = [&](const std::string& code) {
    absl::StatusOr<Unit> unit = LoadUnit(store_, code);
    return unit.ok() ? unit->name : code;
  };
  if (!c.from_school().empty()) c.set_from_school_name(name(c.from_school()));
  // Another province's receiving school keeps the name it came with.
  if (!c.to_school().empty() && !c.incoming())
    c.set_to_school_name(name(c.to_school()));
  if (absl::StatusOr<StoredTeacher> t = LoadTeacher(store_, c.teacher_number());
      t.ok())
    c.set_teacher_name(t->record.name());
}

absl::StatusOr<v1::CareerCase> Careers::Insert(const User& actor,
                                               v1::CareerCase c,
                                               const Parties& parties) {
  {
    ASSIGN_OR_RETURN(
        sql::Statement open,
        store_.db().Prepare(
            "SELECT record FROM career_cases "
            "WHERE teacher_number = ? AND state IN ('open', 'scheduled')"));
    open.BindAll(c.teacher_number());
    v1::CareerCase existing;
    bool found = false;
    RETURN_IF_ERROR(open.ForEachRow([&] {
      found = existing.ParseFromString(std::string(open.ColumnBlob(0)));
    }));
    if (found) {
      return absl::AlreadyExistsError(
          absl::StrCat("教师 ", c.teacher_number(), " 已有进行中的",
                       CareerKindLabel(existing.kind()), "（第 ", existing.id(),
                       " 号，", CareerStateLabel(existing),
                       "）：一位教师同一时间只能有一项进行中的调动或变动，请等"
                       "它办结或撤回"));
    }
  }
  // The steps, each unit once: a unit that appears twice decides at its
  // later step.
  std::vector<std::pair<std::string, std::string>> steps;  // unit, role
  auto add = [&](const std::string& unit, const char* role) {
    if (!unit.empty()) steps.emplace_back(unit, role);
  };
  const bool other_city = parties.from.city_code != parties.to.city_code;
  switch (c.kind()) {
    case v1::CAREER_TRANSFER:
      // The seeds' order: the receiving school's filing is its request; its
      // county, the sending school and its county approve; the receiving
      // school completes it (调档).
      if (!parties.incoming) {
        add(parties.to.county_code, "调入学校主管部门");
        if (settings_.transfer_city_review &&
            (other_city || parties.remote_sending))
          add(parties.to.city_code, "调入地市");
      }
      if (!parties.remote_sending) {
        add(parties.from_school, "调出学校");
        add(parties.from.county_code, "调出学校主管部门");
        if (settings_.transfer_city_review && (other_city || parties.incoming))
          add(parties.from.city_code, "调出地市");
      }
      // Across provinces the file arrives with the owner's approval and is
      // taken in at once (career_remote.cc).
      if (!parties.incoming && !parties.remote_sending)
        add(parties.to_school, kFilingStepRole);
      break;
    case v1::CAREER_STATUS_CHANGE:
      add(parties.from.county_code, "学校主管部门");
      break;
    case v1::CAREER_ROTATION:
      add(parties.from.county_code, "派出学校主管部门");
      if (parties.to.county_code != parties.from.county_code)
        add(parties.to.county_code, "接收学校主管部门");
      break;
    default:
      return absl::InvalidArgumentError(
          "申请类别须为调动、在职情况变动或交流轮岗");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    bool later = false;
    for (size_t j = i + 1; j < steps.size(); ++j)
      later |= steps[j].first == steps[i].first;
    if (later) continue;
    v1::CareerStep* step = c.add_steps();
    step->set_unit_code(steps[i].first);
    step->set_role(steps[i].second);
    absl::StatusOr<Unit> unit = LoadUnit(store_, steps[i].first);
    step->set_unit_name(unit.ok() ? unit->name : steps[i].first);
  }
  if (parties
          .remote_sending) {  // decided in the province that owns the teacher
    v1::CareerStep* remote = c.add_steps();
    remote->set_role("调出省份");
    remote->set_unit_name("调出省份（经国家节点转递）");
  }
  c.set_state(kCaseOpen);
  c.set_step(0);
  c.set_filed_by(actor.username);
  c.set_filed_unit(actor.unit_code);
  c.set_filed_unix(std::time(nullptr));
  c.set_from_school(parties.from_school);
  c.set_to_school(parties.to_school);

  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store_.db().Prepare(
          "INSERT INTO career_cases(kind, teacher_number, state, waiting_unit, "
          "from_school, to_school, from_county, to_county, from_city, to_city, "
          "filed_unit, filed_unix, start_date, end_date, remote_province, "
          "remote_case, record) "
          "VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'')"));
  RETURN_IF_ERROR(insert
                      .BindAll(static_cast<int64_t>(c.kind()),
                               c.teacher_number(), c.steps(0).unit_code(),
                               parties.from_school, parties.to_school,
                               parties.from.county_code, parties.to.county_code,
                               parties.from.city_code, parties.to.city_code,
                               actor.unit_code, c.filed_unix(), c.start_date(),
                               c.end_date(), c.remote_province(),
                               static_cast<int64_t>(c.remote_case()))
                      .Run());
  c.set_id(static_cast<uint64_t>(store_.db().LastInsertRowId()));
  RETURN_IF_ERROR(Save(c));
  return c;
}

absl::Status Careers::Save(const v1::CareerCase& c) {
  ASSIGN_OR_RETURN(sql::Statement update,
                   store_.db().Prepare(
                       "UPDATE career_cases SET state = ?, waiting_unit = ?, "
                       "end_date = ?, record = ? WHERE id = ?"));
  const std::string waiting =
      c.state() == kCaseOpen ? c.steps(static_cast<int>(c.step())).unit_code()
                             : std::string();
  v1::CareerCase stored = c;  // names and labels are derived on reading
  stored.clear_kind_label();
  stored.clear_state_label();
  stored.clear_teacher_name();
  // Another province's school keeps the name it came with.
  if (!c.incoming()) stored.clear_to_school_name();
  stored.clear_from_school_name();
  return update
      .BindAll(c.state(), waiting, c.end_date(), stored.SerializeAsString(),
               static_cast<int64_t>(c.id()))
      .Run();
}

absl::StatusOr<v1::CareerCase> Careers::Load(uint64_t case_id) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store_.db().Prepare("SELECT record FROM career_cases WHERE id = ?"));
  q.BindAll(static_cast<int64_t>(case_id));
  v1::CareerCase c;
  bool found = false;
  RETURN_IF_ERROR(q.ForEachRow(
      [&] { found = c.ParseFromString(std::string(q.ColumnBlob(0))); }));
  if (!found)
    return absl::NotFoundError(
        absl::StrCat("没有第 ", case_id, " 号调动或变动申请"));
  return c;
}

absl::Status Careers::Complete(v1::CareerCase& c,
                               const std::string& approvers) {
  ChangeMeta meta;
  meta.actor = c.filed_by();
  meta.reason = c.reason();
  meta.approved_by = approvers;
  switch (c.kind()) {
    case v1::CAREER_TRANSFER: {
      if (c.incoming()) return AnswerIncoming(c, true, "", approvers);
      RETURN_IF_ERROR(LockForCase(store_, c.teacher_number(), 0));
      meta.action = absl::StrCat("career.transfer #", c.id());
      RETURN_IF_ERROR(
          MoveTeacherToSchool(store_, c.teacher_number(), c.to_school(), meta));
      c.set_state(kCaseCompleted);
      break;
    }
    case v1::CAREER_STATUS_CHANGE: {
      ASSIGN_OR_RETURN(int status, CodeTable::Of<v1::InServiceStatus>().Parse(
                                       c.to_status()));
      const auto value = static_cast<v1::InServiceStatus>(status);
      meta.action = absl::StrCat("career.status #", c.id());
      RETURN_IF_ERROR(ChangeServiceStatus(store_, c.teacher_number(), value,
                                          !EndsService(value), meta));
      c.set_state(kCaseCompleted);
      break;
    }
    case v1::CAREER_ROTATION:
      c.set_state(kCaseInEffect);
      break;
    default:
      return absl::InternalError("unknown career kind");
  }
  c.set_closed_unix(std::time(nullptr));
  return absl::OkStatus();
}

absl::Status Careers::Close(v1::CareerCase& c, const char* state,
                            const std::string& reason) {
  c.set_state(state);
  c.set_closing_reason(reason);
  c.set_closed_unix(std::time(nullptr));
  if (c.kind() == v1::CAREER_TRANSFER && !OfRemoteTeacher(c))
    return LockForCase(store_, c.teacher_number(), 0);  // released
  return absl::OkStatus();
}

std::string Careers::Approvers(const v1::CareerCase& c) {
  std::vector<std::string> approvers;
  for (const v1::CareerStep& s : c.steps())
    if (!s.decided_by().empty()) approvers.push_back(s.decided_by());
  return absl::StrJoin(approvers, ",");
}

absl::Status Careers::CheckDecider(const User& actor, const v1::CareerCase& c,
                                   const v1::CareerStep& step) {
  if (actor.unit_code != step.unit_code())
    return absl::PermissionDeniedError(absl::StrCat(
        "这一步（", step.role(), "）由「", step.unit_name(), "」（",
        step.unit_code(), "）办理，不是您的单位 ", actor.unit_code));
  // The receiving school completes an approved transfer: its filer may.
  const bool completing = step.role() == kFilingStepRole;
  if (actor.role == Role::kManager) {
    if (completing || actor.username != c.filed_by()) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(
        "不能审核自己提交的申请（谁填报谁负责、谁审核谁负责）：请由「",
        step.unit_name(),
        "」的负责人（系统管理员账号）或另一位信息管理员审核"));
  }
  if (actor.role == Role::kSysAdmin) {
    // A school's responsible person, or the head of the unit that filed the
    // case (its only information manager filed it): docs/operators.md,
    // "Who reviews".
    ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, step.unit_code()));
    if (unit.level == UnitLevel::kSchool || c.filed_unit() == unit.code)
      return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(
        "这一步（", step.role(), "）由「", unit.name,
        "」的信息管理员审核；系统管理员账号只审核本校的申请，或本单位提交的申"
        "请"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("调动与变动由信息管理员或学校负责人（系统管理员账号）审核；"
                   "您的角色是",
                   RoleLabel(actor.role)));
}

absl::StatusOr<std::vector<v1::CareerCase>> Careers::ApplyDue(
    const Date& today) {
  std::vector<uint64_t> ids;
  {
    ASSIGN_OR_RETURN(sql::Statement q,
                     store_.db().Prepare("SELECT id FROM career_cases WHERE "
                                         "state = 'scheduled' ORDER BY id"));
    RETURN_IF_ERROR(q.ForEachRow(
        [&] { ids.push_back(static_cast<uint64_t>(q.ColumnInt(0))); }));
  }
  const std::string day = today.ToString();
  std::vector<v1::CareerCase> applied;
  for (uint64_t id : ids) {
    absl::Status done = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(sql::Transaction txn,
                       sql::Transaction::Begin(store_.db()));
      ASSIGN_OR_RETURN(v1::CareerCase c, Load(id));
      if (c.state() != kCaseScheduled || c.effective_date() > day)
        return absl::OkStatus();
      RETURN_IF_ERROR(Complete(c, Approvers(c)));
      RETURN_IF_ERROR(Save(c));
      RETURN_IF_ERROR(txn.Commit());
      Describe(c);
      applied.push_back(std::move(c));
      return absl::OkStatus();
    }();
    if (done.ok()) continue;
    // The world changed since the approval (say, the receiving school was
    // closed): the case is closed with the reason and the teacher released.
    ASSIGN_OR_RETURN(sql::Transaction txn,
                     sql::Transaction::Begin(store_.db()));
    ASSIGN_OR_RETURN(v1::CareerCase c, Load(id));
    if (c.state() != kCaseScheduled) continue;
    RETURN_IF_ERROR(Close(c, kCaseReturned,
                          absl::StrCat("到生效日期 ", c.effective_date(),
                                       " 时无法办理：", done.message())));
    RETURN_IF_ERROR(Save(c));
    RETURN_IF_ERROR(txn.Commit());
    Describe(c);
    applied.push_back(std::move(c));
  }
  return applied;
}

absl::StatusOr<v1::CareerCase> Careers::Decide(
    const User& actor, const v1::DecideCareerStepRequest& request) {
  const bool approve =
      request.decision() == v1::DecideCareerStepRequest::APPROVE;
  if (!approve && request.decision() != v1::DecideCareerStepRequest::RETURN)
    return absl::InvalidArgumentError(
        "decision: 须为 APPROVE（同意）或 RETURN（退回）");
  if (!approve && request.reason().empty())
    return absl::InvalidArgumentError("reason: 退回须填写原因，申请人会看到它");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::CareerCase c, Load(request.case_id()));
  if (c.state() != kCaseOpen)
    return absl::FailedPreconditionError(
        absl::StrCat("第 ", c.id(), " 号", CareerKindLabel(c.kind()), "申请",
                     CareerStateLabel(c), "，不能再审核"));
  const v1::CareerStep& step = c.steps(static_cast<int>(c.step()));
  if (IsRemoteStep(step))
    return absl::FailedPreconditionError(absl::StrCat(
        "第 ", c.id(),
        " 号调动正由调出省份审核（经国家节点转递），本省不能代为审核"));
  if (request.step() > c.step())
    return absl::FailedPreconditionError(
        absl::StrCat("还没有轮到这一步：第 ", c.id(), " 号申请现在",
                     CareerStateLabel(c), "，请等前面的单位审核后再办理"));
  if (request.step() != c.step())
    return absl::FailedPreconditionError(
        absl::StrCat("这一步已经审核过了：第 ", c.id(), " 号申请现在",
                     CareerStateLabel(c), "，请刷新后再看"));
  RETURN_IF_ERROR(CheckDecider(actor, c, step));
  v1::CareerStep* decided = c.mutable_steps(static_cast<int>(c.step()));
  decided->set_decision(approve ? "approved" : "returned");
  decided->set_decided_by(actor.username);
  decided->set_reason(request.reason());
  decided->set_decided_unix(std::time(nullptr));
  if (!approve) {
    RETURN_IF_ERROR(Close(c, kCaseReturned, request.reason()));
    if (c.incoming())
      RETURN_IF_ERROR(AnswerIncoming(c, false, request.reason(), ""));
  } else if (c.step() + 1 < static_cast<uint32_t>(c.steps_size()) &&
             IsRemoteStep(c.steps(static_cast<int>(c.step()) + 1))) {
    c.set_step(c.step() + 1);  // now the owning province's
    RETURN_IF_ERROR(RequestRemote(c));
  } else if (c.step() + 1 == static_cast<uint32_t>(c.steps_size())) {
    if (!c.incoming() && !c.effective_date().empty() &&
        c.effective_date() > TodayText()) {
      c.set_state(kCaseScheduled);  // ApplyDue completes it on the date
    } else {
      RETURN_IF_ERROR(Complete(c, Approvers(c)));
    }
  } else {
    c.set_step(c.step() + 1);
    if (c.incoming()) RETURN_IF_ERROR(ReportProgress(c));
  }
  RETURN_IF_ERROR(Save(c));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::StatusOr<v1::CareerCase> Careers::Withdraw(
    const User& actor, const v1::CareerCaseRequest& request) {
  if (request.reason().empty())
    return absl::InvalidArgumentError("reason: 撤回须填写原因");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::CareerCase c, Load(request.case_id()));
  if (actor.unit_code != c.filed_unit() || actor.role != Role::kManager)
    return absl::PermissionDeniedError(
        absl::StrCat("只有提交申请的单位（", c.filed_unit(),
                     "）的信息管理员可以撤回第 ", c.id(), " 号申请"));
  if (c.state() != kCaseOpen && c.state() != kCaseScheduled)
    return absl::FailedPreconditionError(
        absl::StrCat("第 ", c.id(), " 号申请", CareerStateLabel(c),
                     "：只有审核中或尚未生效的申请可以撤回"));
  if (c.state() == kCaseOpen &&
      IsRemoteStep(c.steps(static_cast<int>(c.step()))))
    return absl::FailedPreconditionError(absl::StrCat(
        "第 ", c.id(), " 号调动已转调出省份审核，不能再撤回；可请对方退回"));
  RETURN_IF_ERROR(Close(c, kCaseWithdrawn, request.reason()));
  RETURN_IF_ERROR(Save(c));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::StatusOr<v1::CareerCase> Careers::EndRotation(
    const User& actor, const v1::CareerCaseRequest& request) {
  if (request.reason().empty())
    return absl::InvalidArgumentError("reason: 提前结束须填写原因");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::CareerCase c, Load(request.case_id()));
  if (c.kind() != v1::CAREER_ROTATION)
    return absl::InvalidArgumentError(
        absl::StrCat("第 ", c.id(), " 号申请不是交流轮岗"));
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "提前结束轮岗"));
  RETURN_IF_ERROR(CheckWithin(store_, actor, c.from_school()));
  const std::string today = TodayText();
  if (c.state() != kCaseInEffect || today > c.end_date())
    return absl::FailedPreconditionError(
        absl::StrCat("第 ", c.id(), " 号轮岗", CareerStateLabel(c),
                     "：只有已批准、尚未结束的轮岗可以提前结束"));
  c.set_state(kCaseEnded);
  c.set_end_date(today < c.start_date() ? c.start_date() : today);
  c.set_closing_reason(request.reason());
  c.set_closed_unix(std::time(nullptr));
  RETURN_IF_ERROR(Save(c));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::StatusOr<v1::CareerCase> Careers::Get(const User& actor,
                                            uint64_t case_id) {
  ASSIGN_OR_RETURN(v1::CareerCase c, Load(case_id));
  if (actor.role == Role::kTeacher) {
    if (actor.teacher_number != c.teacher_number())
      return absl::PermissionDeniedError("教师账号只能查看本人的申请");
  } else {
    bool waiting_here =
        c.state() == kCaseOpen &&
        c.steps(static_cast<int>(c.step())).unit_code() == actor.unit_code;
    if (!waiting_here && !CheckWithin(store_, actor, c.from_school()).ok() &&
        !CheckWithin(store_, actor, c.to_school()).ok())
      return absl::PermissionDeniedError(absl::StrCat(
          "第 ", case_id, " 号申请涉及的学校都不在您的管理范围内"));
  }
  Describe(c);
  return c;
}

absl::StatusOr<v1::ListCareerCasesResponse> Careers::List(
    const User& actor, const v1::ListCareerCasesRequest& request) {
  std::vector<std::string> where;
  std::vector<std::string> binds;
  bool oldest_first = false;
  if (actor.role == Role::kTeacher) {
    where.push_back("teacher_number = ?");
    binds.push_back(actor.teacher_number);
  } else if (request.view() == "waiting") {
    where.push_back("state = 'open' AND waiting_unit = ?");
    binds.push_back(actor.unit_code);
    oldest_first = true;
  } else if (request.view() == "filed") {
    where.push_back("filed_unit = ?");
    binds.push_back(actor.unit_code);
  } else if (request.view().empty() || request.view() == "scope") {
    ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, actor.unit_code));
    const char* column = unit.level == UnitLevel::kSchool   ? "school"
                         : unit.level == UnitLevel::kCounty ? "county"
                         : unit.level == UnitLevel::kCity   ? "city"
                                                            : nullptr;
    if (column != nullptr) {
      where.push_back(
          absl::StrCat("(from_", column, " = ? OR to_", column, " = ?)"));
      binds.push_back(actor.unit_code);
      binds.push_back(actor.unit_code);
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("view='", request.view(),
                     "': 须为 waiting（待我审核）、filed（本单位提交的）或 "
                     "scope（管理范围内的）"));
  }
  if (request.kind() != v1::CAREER_KIND_UNSPECIFIED) {
    where.push_back("kind = ?");
    binds.push_back(absl::StrCat(static_cast<int>(request.kind())));
  }
  const std::string today = TodayText();
  if (!request.state().empty()) {
    const std::string& s = request.state();
    if (s == kCaseInEffect) {
      where.push_back("state = 'in_effect' AND end_date >= ?");
      binds.push_back(today);
    } else if (s == kCaseEnded) {
      where.push_back(
          "(state = 'ended' OR (state = 'in_effect' AND end_date < ?))");
      binds.push_back(today);
    } else if (s == kCaseOpen || s == kCaseCompleted || s == kCaseReturned ||
               s == kCaseWithdrawn || s == kCaseScheduled) {
      where.push_back("state = ?");
      binds.push_back(s);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "state='", s,
          "': 须为 "
          "open（审核中）、scheduled（已批准待生效）、completed（已办结）、retu"
          "rned（已退回）、"
          "withdrawn（已撤回）、in_effect（轮岗中）或 ended（已结束）"));
    }
  }
  if (!request.teacher_number().empty()) {
    where.push_back("teacher_number = ?");
    binds.push_back(request.teacher_number());
  }
  int64_t after = 0;
  if (!request.page_token().empty() &&
      !absl::SimpleAtoi(request.page_token(), &after))
    return absl::InvalidArgumentError("page_token: 不是本接口给出的翻页标记");
  if (after > 0) {
    where.push_back(oldest_first ? "id > ?" : "id < ?");
    binds.push_back(absl::StrCat(after));
  }
  const uint32_t size = request.page_size() == 0
                            ? 50
                            : std::min<uint32_t>(request.page_size(), 200);
  const std::string sql = absl::StrCat(
      "SELECT id, record FROM career_cases",
      where.empty() ? ""
                    : absl::StrCat(" WHERE ", absl::StrJoin(where, " AND ")),
      " ORDER BY id ", oldest_first ? "ASC" : "DESC", " LIMIT ", size + 1);
  ASSIGN_OR_RETURN(sql::Statement q, store_.db().Prepare(sql));
  for (size_t i = 0; i < binds.size(); ++i)
    q.Bind(static_cast<int>(i + 1), binds[i]);
  v1::ListCareerCasesResponse response;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    if (static_cast<uint32_t>(response.cases_size()) == size) {
      response.set_next_page_token(absl::StrCat(response.cases(size - 1).id()));
      return;
    }
    response.add_cases()->ParseFromString(std::string(q.ColumnBlob(1)));
  }));
  for (v1::CareerCase& c : *response.mutable_cases()) Describe(c);
  return response;
}

absl::StatusOr<std::vector<v1::CareerCase>> Careers::RotatingIn(
    const std::string& school) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store_.db().Prepare("SELECT record FROM career_cases WHERE kind = ? AND "
                          "state = 'in_effect' AND to_school = ? AND "
                          "start_date <= ? AND end_date >= ? ORDER BY id"));
  const std::string today = TodayText();
  q.BindAll(static_cast<int64_t>(v1::CAREER_ROTATION), school, today, today);
  std::vector<v1::CareerCase> cases;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    cases.emplace_back().ParseFromString(std::string(q.ColumnBlob(0)));
  }));
  for (v1::CareerCase& c : cases) Describe(c);
  return cases;
}

}  // namespace ntmis::provincial
