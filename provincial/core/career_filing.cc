// Filing a transfer, a status change or a rotation: what each may ask for
// and the precise refusals (provincial/core/careers.h).
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "provincial/core/access.h"
#include "provincial/core/careers.h"
#include "provincial/core/careers_internal.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {
namespace {

// The kinds of rotation people file.
const std::vector<std::string>& RotationKinds() {
  static const auto* kinds = new std::vector<std::string>{
      "轮岗", "支教", "走教", "交流", "跟岗", "对口帮扶"};
  return *kinds;
}

// `date` shifted by `days`.
std::string AddDays(const Date& date, int days) {
  const absl::CivilDay day =
      absl::CivilDay(date.year, date.month, date.day) + days;
  return Date{static_cast<int>(day.year()), day.month(), day.day()}.ToString();
}

}  // namespace

// A school that takes teachers, or FAILED_PRECONDITION saying why not.
absl::StatusOr<SchoolPlace> OpenSchool(Store& store, const std::string& code) {
  ASSIGN_OR_RETURN(std::optional<SchoolPlace> place, LoadSchool(store, code));
  const std::string refused =
      SchoolTakesTeachersRule(code, place ? &*place : nullptr);
  if (!refused.empty()) return absl::FailedPreconditionError(refused);
  return *place;
}

absl::StatusOr<std::string> Careers::FindTeacher(
    const std::string& number_given, const std::string& id_card_given) {
  ASSIGN_OR_RETURN(std::string province, store_.Province());
  std::string number(absl::StripAsciiWhitespace(number_given));
  if (number.empty()) {
    const std::string id_card =
        absl::AsciiStrToUpper(absl::StripAsciiWhitespace(id_card_given));
    if (id_card.empty())
      return absl::InvalidArgumentError(
          "teacher_number: 须填写教师编号，或填写身份证件号码以查找");
    absl::StatusOr<IdCardInfo> id = ParseIdCard(id_card);
    if (!id.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("id_card_number='", MaskIdCard(id_card),
                       "': ", id.status().message()));
    ASSIGN_OR_RETURN(sql::Statement q,
                     store_.db().Prepare("SELECT teacher_number FROM teachers "
                                         "WHERE id_hash = ?"));
    q.BindBlob(1, id_hasher_.Sign(id_card));
    RETURN_IF_ERROR(q.ForEachRow([&] { number = q.ColumnText(0); }));
    if (number.empty())
      return absl::NotFoundError(
          absl::StrCat("身份证件号码 ", MaskIdCard(id_card),
                       " 不是本省任何一位教师的：在职情况变动和交流轮岗只"
                       "办理本省的教师；跨省调入在“调动”中填写其教师编号或身份"
                       "证件号码，由国家节点查出教师所在省份"));
  }
  absl::StatusOr<StoredTeacher> teacher = LoadTeacher(store_, number);
  if (!teacher.ok()) {
    if (number.size() == 12 && !absl::StartsWith(number, province))
      return absl::FailedPreconditionError(absl::StrCat(
          "教师编号 ", number, " 首次登记于其他省份（", number.substr(0, 2),
          "），不在本省：在职情况变动和交流轮岗只办理本省的教师；跨省调入在"
          "“调动”中办理"));
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", number, " 的教师"));
  }
  if (teacher->state == TeacherState::kTransferredOut)
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", number,
        " 已调出本省，现由其他省份管理：本省不能再为其办理调动或变动"));
  return number;
}

absl::StatusOr<std::optional<std::string>> Careers::NumberElsewhere(
    const std::string& id_card_given) {
  const std::string id_card =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(id_card_given));
  if (!ParseIdCard(id_card).ok())
    return std::nullopt;  // FindTeacher names what is wrong with it
  const std::string hash = id_hasher_.Sign(id_card);
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store_.db().Prepare("SELECT state FROM teachers WHERE id_hash = ?"));
  q.BindBlob(1, hash);
  ASSIGN_OR_RETURN(bool here, q.Step());
  if (here &&
      ParseTeacherState(q.ColumnText(0)) != TeacherState::kTransferredOut)
    return std::nullopt;  // this province's teacher
  if (resolver_ == nullptr) return std::nullopt;
  absl::StatusOr<std::vector<std::optional<KnownIdentity>>> known =
      resolver_->Resolve({hash});
  if (!known.ok())
    return absl::UnavailableError(absl::StrCat(
        "身份证件号码 ", MaskIdCard(id_card),
        " 不是本省教师的；查询全国教师身份库时国家节点暂时无法应答（",
        known.status().message(), "）：请稍后再试，或填写教师编号办理"));
  ASSIGN_OR_RETURN(std::string province, store_.Province());
  if (known->empty() || !(*known)[0] ||
      (*known)[0]->owner_province == province) {
    if (here) return std::nullopt;
    return absl::NotFoundError(absl::StrCat(
        "身份证件号码 ", MaskIdCard(id_card),
        " 在全国教师身份库中没有记录：请核对号码；尚未登记的新教师请由学校"
        "新建教师"));
  }
  return (*known)[0]->teacher_number;
}

absl::Status Careers::CheckEffectiveDate(const std::string& given,
                                         std::string* normalized,
                                         const char* field) {
  std::optional<Date> date = ParseEnteredDate(given);
  if (!date)
    return absl::InvalidArgumentError(
        absl::StrCat(field, "='", given, "': 须为日期，如 ", TodayText()));
  const Date today = Today();
  const std::string earliest = AddDays(today, -settings_.backdate_days);
  const std::string latest = AddDays(today, 366);
  *normalized = date->ToString();
  if (*normalized < earliest)
    return absl::InvalidArgumentError(absl::StrCat(
        field, "='", *normalized, "': 最多补办 ", settings_.backdate_days,
        " 天以前的（", earliest, " 及以后）；更早的请联系省级管理员"));
  if (*normalized > latest)
    return absl::InvalidArgumentError(absl::StrCat(
        field, "='", *normalized, "': 不能晚于一年以后（", latest, "）"));
  return absl::OkStatus();
}

absl::StatusOr<v1::CareerCase> Careers::FileTransfer(
    const User& actor, const v1::FileTransferRequest& request) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "办理调动"));
  const std::string to_school =
      request.to_school().empty() ? actor.unit_code : request.to_school();
  RETURN_IF_ERROR(CheckWithin(store_, actor, to_school));
  if (request.reason().empty())
    return absl::InvalidArgumentError("reason: 须填写调动原因");
  std::string date;
  RETURN_IF_ERROR(
      CheckEffectiveDate(request.effective_date(), &date, "effective_date"));

  // A teacher another province owns: a transfer across provinces. Given
  // by ID-card number, the national identity registry says whose it is.
  std::string given(absl::StripAsciiWhitespace(request.teacher_number()));
  if (given.empty() && !request.id_card_number().empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> elsewhere,
                     NumberElsewhere(request.id_card_number()));
    if (elsewhere) given = *elsewhere;
  }
  if (!given.empty()) {
    ASSIGN_OR_RETURN(std::string province, store_.Province());
    absl::StatusOr<StoredTeacher> local = LoadTeacher(store_, given);
    if ((!local.ok() && given.size() == 12 &&
         !absl::StartsWith(given, province)) ||
        (local.ok() && local->state == TeacherState::kTransferredOut))
      return FileRemoteTransfer(actor, given, to_school, date,
                                request.reason());
  }
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  absl::StatusOr<SchoolPlace> to = OpenSchool(store_, to_school);
  if (!to.ok())
    return absl::FailedPreconditionError(absl::StrCat(
        "to_school='", to_school, "': 调入单位须是可接收教师的学校：",
        to.status().message()));
  ASSIGN_OR_RETURN(std::string number, FindTeacher(request.teacher_number(),
                                                   request.id_card_number()));
  ASSIGN_OR_RETURN(StoredTeacher teacher, LoadTeacher(store_, number));
  if (teacher.state != TeacherState::kEffective)
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", number, " 的记录为「", StateLabel(teacher.state),
        "」：只有已生效的记录可以调动；未生效的记录请由原学校更正后提交审核"));
  if (teacher.record.school_code() == to_school)
    return absl::InvalidArgumentError(
        absl::StrCat("to_school='", to_school, "': 教师 ", number,
                     " 已在本校任职，调入学校须是另一所学校"));
  ASSIGN_OR_RETURN(SchoolPlace from,
                   OpenSchool(store_, teacher.record.school_code()));

  v1::CareerCase c;
  c.set_kind(v1::CAREER_TRANSFER);
  c.set_teacher_number(number);
  c.set_effective_date(date);
  c.set_reason(request.reason());
  Parties parties{teacher.record.school_code(), to_school, from, *to};
  ASSIGN_OR_RETURN(c, Insert(actor, std::move(c), parties));
  RETURN_IF_ERROR(LockForCase(store_, number, static_cast<int64_t>(c.id())));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::StatusOr<v1::CareerCase> Careers::FileStatusChange(
    const User& actor, const v1::FileStatusChangeRequest& request) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "办理在职情况变动"));
  if (request.reason().empty())
    return absl::InvalidArgumentError("reason: 须填写变动原因");
  const CodeTable& table = CodeTable::Of<v1::InServiceStatus>();
  absl::StatusOr<int> parsed = table.Parse(request.status());
  if (!parsed.ok())
    return absl::InvalidArgumentError(absl::StrCat(
        "status='", request.status(), "': ", parsed.status().message()));
  const auto status = static_cast<v1::InServiceStatus>(*parsed);
  if (status == v1::IN_SERVICE_STATUS_TRANSFERRED_OUT)
    return absl::InvalidArgumentError(absl::StrCat(
        "status='", request.status(),
        "': 调出通过调动办理（由调入学校提出），不作为在职情况变动"));
  std::string date;
  RETURN_IF_ERROR(
      CheckEffectiveDate(request.effective_date(), &date, "effective_date"));

  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(std::string number,
                   FindTeacher(request.teacher_number(), ""));
  ASSIGN_OR_RETURN(StoredTeacher teacher, LoadTeacher(store_, number));
  RETURN_IF_ERROR(CheckWithin(store_, actor, teacher.record.school_code()));
  if (teacher.state != TeacherState::kEffective &&
      teacher.state != TeacherState::kWithdrawn)
    return absl::FailedPreconditionError(
        absl::StrCat("教师 ", number, " 的记录为「", StateLabel(teacher.state),
                     "」：在职情况变动只用于已生效（或已退出）的记录；未生效的"
                     "记录请直接修改任职状态"));
  if (teacher.record.status() == status) {
    std::vector<std::string> others;
    for (int v : table.values())
      if (v != status && v != v1::IN_SERVICE_STATUS_TRANSFERRED_OUT)
        others.push_back(absl::StrCat(table.Code(v), " ", table.Label(v)));
    return absl::InvalidArgumentError(absl::StrCat(
        "status='", request.status(), "': 教师 ", number, " 的任职状态已是「",
        table.Label(status), "」；变动须改为另一种状态：",
        absl::StrJoin(others, ", ")));
  }
  ASSIGN_OR_RETURN(std::optional<SchoolPlace> place,
                   LoadSchool(store_, teacher.record.school_code()));
  if (!place)
    return absl::DataLossError(
        absl::StrCat("teacher ", number, "'s school is unknown"));

  v1::CareerCase c;
  c.set_kind(v1::CAREER_STATUS_CHANGE);
  c.set_teacher_number(number);
  c.set_effective_date(date);
  c.set_reason(request.reason());
  c.set_from_status(table.Code(teacher.record.status()));
  c.set_from_status_label(table.Label(teacher.record.status()));
  c.set_to_status(table.Code(status));
  c.set_to_status_label(table.Label(status));
  Parties parties{teacher.record.school_code(), teacher.record.school_code(),
                  *place, *place};
  ASSIGN_OR_RETURN(c, Insert(actor, std::move(c), parties));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::StatusOr<v1::CareerCase> Careers::FileRotation(
    const User& actor, const v1::FileRotationRequest& request) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "办理交流轮岗"));
  const std::string kind(absl::StripAsciiWhitespace(request.kind()));
  if (std::find(RotationKinds().begin(), RotationKinds().end(), kind) ==
      RotationKinds().end())
    return absl::InvalidArgumentError(
        absl::StrCat("kind='", kind, "': 须为以下之一：",
                     absl::StrJoin(RotationKinds(), "、")));
  std::string start, end;
  RETURN_IF_ERROR(
      CheckEffectiveDate(request.start_date(), &start, "start_date"));
  std::optional<Date> end_date = ParseEnteredDate(request.end_date());
  if (!end_date)
    return absl::InvalidArgumentError(absl::StrCat(
        "end_date='", request.end_date(), "': 须为日期，如 ", TodayText()));
  end = end_date->ToString();
  if (end < start)
    return absl::InvalidArgumentError(absl::StrCat(
        "end_date='", end, "': 结束日期不能早于开始日期（", start, "）"));
  const Date s = *ParseDate(start);
  if (end > AddDays(s, 3 * 366))
    return absl::InvalidArgumentError(
        absl::StrCat("end_date='", end, "': 一次交流轮岗最长三年（至 ",
                     AddDays(s, 3 * 366), "）"));

  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(std::string number,
                   FindTeacher(request.teacher_number(), ""));
  ASSIGN_OR_RETURN(StoredTeacher teacher, LoadTeacher(store_, number));
  RETURN_IF_ERROR(CheckWithin(store_, actor, teacher.record.school_code()));
  if (teacher.state != TeacherState::kEffective)
    return absl::FailedPreconditionError(
        absl::StrCat("教师 ", number, " 的记录为「", StateLabel(teacher.state),
                     "」：只有已生效的记录可以交流轮岗"));
  if (request.host_school() == teacher.record.school_code())
    return absl::InvalidArgumentError(
        absl::StrCat("host_school='", request.host_school(),
                     "': 接收学校须是另一所学校（教师现任职于该校）"));
  absl::StatusOr<SchoolPlace> host = OpenSchool(store_, request.host_school());
  if (!host.ok())
    return absl::FailedPreconditionError(
        absl::StrCat("host_school='", request.host_school(),
                     "': ", host.status().message()));
  ASSIGN_OR_RETURN(SchoolPlace home,
                   OpenSchool(store_, teacher.record.school_code()));
  {
    ASSIGN_OR_RETURN(sql::Statement overlap,
                     store_.db().Prepare(
                         "SELECT record FROM career_cases WHERE "
                         "teacher_number = ? AND kind = ? AND state IN "
                         "('open', 'in_effect', 'ended') AND start_date <= ? "
                         "AND end_date >= ? ORDER BY id LIMIT 1"));
    overlap.BindAll(number, static_cast<int64_t>(v1::CAREER_ROTATION), end,
                    start);
    v1::CareerCase other;
    bool found = false;
    RETURN_IF_ERROR(overlap.ForEachRow([&] {
      found = other.ParseFromString(std::string(overlap.ColumnBlob(0)));
    }));
    if (found)
      return absl::FailedPreconditionError(absl::StrCat(
          "start_date='", start, "': 与第 ", other.id(), " 号交流轮岗（",
          other.start_date(), " 至 ", other.end_date(), "，",
          CareerStateLabel(other), "）时间重叠：同一时间只能在一所学校轮岗"));
  }
  ASSIGN_OR_RETURN(sql::Statement backbone,
                   store_.db().Prepare(
                       "SELECT COUNT(*) FROM teacher_entries WHERE "
                       "teacher_number = ? AND category = 'talent_programmes' "
                       "AND deleted = 0"));
  backbone.BindAll(number);
  int64_t programmes = 0;
  RETURN_IF_ERROR(
      backbone.ForEachRow([&] { programmes = backbone.ColumnInt(0); }));

  v1::CareerCase c;
  c.set_kind(v1::CAREER_ROTATION);
  c.set_teacher_number(number);
  c.set_reason(request.reason());
  c.set_start_date(start);
  c.set_end_date(end);
  c.set_effective_date(start);
  c.set_rotation_kind(kind);
  c.set_backbone(programmes > 0);
  Parties parties{teacher.record.school_code(), request.host_school(), home,
                  *host};
  ASSIGN_OR_RETURN(c, Insert(actor, std::move(c), parties));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

}  // namespace ntmis::provincial
