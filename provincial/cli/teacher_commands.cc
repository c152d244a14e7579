// teacher …, review … and report … commands.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/status_macros.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"
#include "provincial/core/teacher_fields.h"

namespace ntmis::provincial {
namespace {

using cli::Args;
using Stub = v1::ProvincialApi::StubInterface;

const cli::Flag kFormatFlag{"format", "table|csv",
                            "output format (default table)"};
const cli::Flag kSetFlag{
    "set", "FIELD=VALUE",
    "a template field and its value (repeat for more; codes or labels)"};

void PrintTeacher(const v1::TeacherView& t) {
  std::cout << "teacher " << t.teacher_number() << "  state " << t.state()
            << "  version " << t.version()
            << (t.provisional() ? "  (provisional number)" : "") << "\n"
            << "last change: " << t.change_action() << " by "
            << (t.changed_by().empty() ? "-" : t.changed_by()) << " at "
            << FormatTime(t.updated_unix())
            << (t.change_reason().empty()
                    ? ""
                    : absl::StrCat(" (", t.change_reason(), ")"))
            << (t.approved_by().empty()
                    ? ""
                    : absl::StrCat(", approved by ", t.approved_by()))
            << "\n";
  if (!t.has_record()) return;
  std::vector<std::vector<std::string>> rows{
      {"field", "value", "label", "written by"}};
  const auto& columns = TeacherTemplateColumns();
  for (size_t c = 0; c < columns.size(); ++c) {
    auto column = static_cast<TeacherColumn>(c);
    if (column == kIdCardNumber) continue;  // never shown: stored sealed
    const char* writer =
        WriterOf(column) == FieldWriter::kTeacher ? "teacher or school"
        : WriterOf(column) == FieldWriter::kStaff ? "school / administration"
                                                  : "fixed";
    rows.push_back({columns[c], TeacherFieldText(t.record(), column),
                    TeacherFieldLabel(t.record(), column), writer});
  }
  rows.push_back({"city_code", t.record().city_code(), "", "from the school"});
  rows.push_back(
      {"county_code", t.record().county_code(), "", "from the school"});
  PrintTable(rows, false);
}

absl::Status TeacherCreate(const Args& args) {
  v1::CreateTeacherRequest request;
  request.set_name(args.Get("name"));
  request.set_gender(args.Get("gender"));
  request.set_birth_date(args.Get("birth-date"));
  request.set_id_card_number(args.Get("id-card"));
  request.set_school_code(args.Get("school"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::TeacherView t,
                   client->Call(&Stub::CreateTeacher, request));
  PrintTeacher(t);
  return absl::OkStatus();
}

absl::Status TeacherEdit(const Args& args, bool change_request) {
  v1::EditTeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  RETURN_IF_ERROR(AddSetFlags(args, request.mutable_fields()));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  if (change_request) {
    ASSIGN_OR_RETURN(v1::ChangeRequestView c,
                     client->Call(&Stub::RequestChange, request));
    std::cout << "change request " << c.id() << " (" << c.kind()
              << ") for teacher " << c.teacher_number() << " waits for unit "
              << c.reviewer_unit() << "\n";
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::TeacherView t,
                   client->Call(&Stub::EditTeacher, request));
  PrintTeacher(t);
  return absl::OkStatus();
}

absl::Status TeacherShow(const Args& args) {
  v1::TeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  if (args.Has("version")) {
    ASSIGN_OR_RETURN(int64_t version, args.GetInt("version", 0));
    request.set_version(static_cast<uint32_t>(version));
    ASSIGN_OR_RETURN(v1::TeacherHistoryResponse h,
                     client->Call(&Stub::TeacherHistory, request));
    PrintTeacher(h.versions(0));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::TeacherView t, client->Call(&Stub::GetTeacher, request));
  PrintTeacher(t);
  return absl::OkStatus();
}

absl::Status TeacherStep(const Args& args) {
  v1::TeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::TeacherView t,
                   client->Call(&Stub::SubmitTeacher, request));
  std::cout << "teacher " << t.teacher_number() << " is " << t.state() << "\n";
  return absl::OkStatus();
}

absl::Status TeacherList(const Args& args) {
  v1::ListTeachersRequest request;
  request.set_unit_code(args.Get("unit"));
  request.set_state(args.Get("state"));
  ASSIGN_OR_RETURN(int64_t size, args.GetInt("page-size", 50));
  request.set_page_size(static_cast<uint32_t>(size));
  request.set_page_token(args.Get("page-token"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  std::vector<std::vector<std::string>> rows{
      {"teacher", "name", "school", "state", "version", "updated"}};
  while (true) {
    ASSIGN_OR_RETURN(v1::ListTeachersResponse page,
                     client->Call(&Stub::ListTeachers, request));
    for (const auto& t : page.teachers()) {
      rows.push_back({t.teacher_number(), t.name(), t.school_code(), t.state(),
                      absl::StrCat(t.version()), FormatTime(t.updated_unix())});
    }
    request.set_page_token(page.next_page_token());
    if (!args.Has("all") || page.next_page_token().empty()) break;
  }
  PrintTable(rows, args.Get("format") == "csv");
  if (!request.page_token().empty() && !args.Has("all"))
    std::cerr << "more: --page-token " << request.page_token() << "\n";
  return absl::OkStatus();
}

absl::Status TeacherHistory(const Args& args) {
  v1::TeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::TeacherHistoryResponse h,
                   client->Call(&Stub::TeacherHistory, request));
  std::vector<std::vector<std::string>> rows{
      {"version", "state", "action", "by", "approved by", "at", "reason"}};
  for (const auto& v : h.versions()) {
    rows.push_back({absl::StrCat(v.version()), v.state(), v.change_action(),
                    v.changed_by(), v.approved_by(),
                    FormatTime(v.updated_unix()), v.change_reason()});
  }
  PrintTable(rows, args.Get("format") == "csv");
  if (h.change_requests_size() > 0) std::cout << "\nchange requests:\n";
  for (const auto& c : h.change_requests()) {
    std::string fields;
    for (const auto& f : c.fields())
      absl::StrAppend(&fields, fields.empty() ? "" : ", ", f.field(), "=",
                      f.value());
    std::cout << "  " << c.id() << " " << c.kind() << " " << c.state() << " by "
              << c.requested_by() << " (" << c.reason() << "): " << fields
              << (c.decided_by().empty()
                      ? absl::StrCat(", waits for unit ", c.reviewer_unit())
                      : absl::StrCat(
                            ", decided by ", c.decided_by(),
                            c.decision_reason().empty()
                                ? ""
                                : absl::StrCat(" (", c.decision_reason(), ")")))
              << "\n";
  }
  return absl::OkStatus();
}

absl::Status ReviewQueueCommand(const Args& args) {
  v1::ReviewQueueRequest request;
  ASSIGN_OR_RETURN(int64_t size, args.GetInt("page-size", 50));
  request.set_page_size(static_cast<uint32_t>(size));
  request.set_page_token(args.Get("page-token"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ReviewQueueResponse queue,
                   client->Call(&Stub::ReviewQueue, request));
  std::vector<std::vector<std::string>> rows{
      {"waiting since", "step", "teacher", "name", "school", "change request"}};
  for (const auto& i : queue.items()) {
    rows.push_back({FormatTime(i.waiting_since_unix()), i.step(),
                    i.teacher_number(), i.name(), i.school_code(),
                    i.change_request_id() == 0
                        ? ""
                        : absl::StrCat(i.change_request_id())});
  }
  PrintTable(rows, args.Get("format") == "csv");
  if (!queue.next_page_token().empty())
    std::cerr << "more: --page-token " << queue.next_page_token() << "\n";
  if (queue.careers_size() > 0) {
    std::cout << "\ncareers cases waiting for your unit "
                 "(transfer|status|rotation approve CASE):\n";
    std::vector<std::vector<std::string>> cases{
        {"case", "kind", "filed", "teacher", "name", "step"}};
    for (const v1::CareerCase& c : queue.careers()) {
      cases.push_back({absl::StrCat(c.id()), c.kind_label(),
                       FormatTime(c.filed_unix()), c.teacher_number(),
                       c.teacher_name(),
                       c.steps(static_cast<int>(c.step())).role()});
    }
    PrintTable(cases, args.Get("format") == "csv");
  }
  return absl::OkStatus();
}

absl::Status ReviewDecision(const Args& args,
                            v1::ReviewRequest::Decision decision) {
  v1::ReviewRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  request.set_decision(decision);
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::TeacherView t,
                   client->Call(&Stub::ReviewTeacher, request));
  std::cout << "teacher " << t.teacher_number() << " is " << t.state()
            << (t.state() == "effective" ? " (national data from the next sync)"
                                         : "")
            << "\n";
  return absl::OkStatus();
}

absl::Status ReviewDecide(const Args& args) {
  ASSIGN_OR_RETURN(std::string id_text,
                   OnePositional(args, "the change request id"));
  v1::DecideChangeRequest request;
  uint64_t id = 0;
  if (!absl::SimpleAtoi(id_text, &id))
    return absl::InvalidArgumentError("the id is a number");
  request.set_id(id);
  if (args.Has("approve") == args.Has("reject"))
    return absl::InvalidArgumentError("give --approve or --reject");
  request.set_approve(args.Has("approve"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ChangeRequestView c,
                   client->Call(&Stub::DecideChange, request));
  std::cout << "change request " << c.id() << " " << c.state() << "\n";
  return absl::OkStatus();
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "-" : absl::StrFormat("%.1f%%", 100.0 * part / whole);
}

absl::Status ReportProgress(const Args& args) {
  v1::UnitRequest request;
  request.set_unit_code(args.Get("unit"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ProgressReport report,
                   client->Call(&Stub::Progress, request));
  std::vector<std::vector<std::string>> rows{
      {"unit", "name", "entered", "submitted", "%", "school approved", "%",
       "effective", "%", "returned"}};
  auto add = [&rows](const v1::ProgressRow& r) {
    rows.push_back(
        {r.unit_code(), r.unit_name(), absl::StrCat(r.entered()),
         absl::StrCat(r.submitted()), Percent(r.submitted(), r.entered()),
         absl::StrCat(r.school_approved()),
         Percent(r.school_approved(), r.entered()), absl::StrCat(r.effective()),
         Percent(r.effective(), r.entered()), absl::StrCat(r.returned())});
  };
  for (const auto& child : report.children()) add(child);
  add(report.total());
  const bool csv = args.Get("format") == "csv";
  PrintTable(rows, csv);
  if (csv) return absl::OkStatus();
  std::cout << "\nnot yet effective: " << report.incomplete_total()
            << (report.incomplete_total() >
                        static_cast<uint64_t>(report.incomplete_size())
                    ? absl::StrCat(" (first ", report.incomplete_size(), ")")
                    : "")
            << "\n";
  for (const auto& t : report.incomplete()) {
    std::cout << "  " << t.teacher_number() << "  " << t.name() << "  school "
              << t.school_code() << "  " << t.state() << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> TeacherCommands() {
  return {
      {"teacher create",
       "create a draft teacher record from the four identity items", "",
       LoginFlagsWith(
           {{"name", "NAME", "full name"},
            {"gender", "CODE", "1 male, 2 female (or the label)"},
            {"birth-date", "YYYY-MM-DD", "as in the ID-card number"},
            {"id-card", "NUMBER", "18-character resident ID-card number"},
            {"school", "CODE", "the school's institution code"}}),
       TeacherCreate},
      {"teacher edit", "fill in or correct a draft or returned record",
       "TEACHER_NUMBER",
       LoginFlagsWith(
           {kSetFlag, {"reason", "TEXT", "why (kept in the history)"}}),
       [](const Args& a) { return TeacherEdit(a, false); }},
      {"teacher change",
       "request a change of an effective record (decided by the level above; "
       "additions by the school)",
       "TEACHER_NUMBER",
       LoginFlagsWith({kSetFlag, {"reason", "TEXT", "why (required)"}}),
       [](const Args& a) { return TeacherEdit(a, true); }},
      {"teacher submit", "submit a complete record for review",
       "TEACHER_NUMBER", LoginFlags(), TeacherStep},
      {"teacher show", "one teacher's record (or a past version)",
       "TEACHER_NUMBER",
       LoginFlagsWith({{"version", "N", "show version N from the history"}}),
       TeacherShow},
      {"teacher list",
       "a unit's teachers by school, state and number, a page at a time", "",
       LoginFlagsWith(
           {{"unit", "CODE", "default: your unit"},
            {"state", "STATE",
             "draft, submitted, school_approved, returned, effective, …"},
            {"page-size", "N", "default 50, at most 1000"},
            {"page-token", "TOKEN", "from the previous page"},
            {"all", "", "every page"},
            kFormatFlag}),
       TeacherList},
      {"teacher history",
       "every version of a record: who, what, when, why, who approved",
       "TEACHER_NUMBER", LoginFlagsWith({kFormatFlag}), TeacherHistory},
      {"review queue", "what waits for your decision, oldest first", "",
       LoginFlagsWith({{"page-size", "N", "default 50"},
                       {"page-token", "TOKEN", "from the previous page"},
                       kFormatFlag}),
       ReviewQueueCommand},
      {"review approve",
       "approve a submitted (school) or school-approved (county) record",
       "TEACHER_NUMBER", LoginFlagsWith({{"reason", "TEXT", "optional note"}}),
       [](const Args& a) {
         return ReviewDecision(a, v1::ReviewRequest::APPROVE);
       }},
      {"review return", "return a record for correction", "TEACHER_NUMBER",
       LoginFlagsWith({{"reason", "TEXT", "what to correct (required)"}}),
       [](const Args& a) {
         return ReviewDecision(a, v1::ReviewRequest::RETURN);
       }},
      {"review decide", "approve or reject a change request", "ID",
       LoginFlagsWith({{"approve", "", "apply the change"},
                       {"reject", "", "refuse it"},
                       {"reason", "TEXT", "required to reject"}}),
       ReviewDecide},
      {"report progress", "entry and review progress of a unit, by child unit",
       "",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"}, kFormatFlag}),
       ReportProgress},
  };
}

}  // namespace ntmis::provincial
