// transfer …, status …, rotation … commands: filing, deciding, withdrawing
// and listing careers cases (provincial/core/careers.h); rotation report.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"

namespace ntmis::provincial {
namespace {

using cli::Args;
using Stub = v1::ProvincialApi::StubInterface;

struct Kind {
  v1::CareerKind kind;
  const char* word;  // the command group
  const char* what;  // for help texts
};
constexpr Kind kTransfer{v1::CAREER_TRANSFER, "transfer", "a transfer"};
constexpr Kind kStatus{v1::CAREER_STATUS_CHANGE, "status", "a status change"};
constexpr Kind kRotation{v1::CAREER_ROTATION, "rotation", "a rotation"};

absl::StatusOr<uint64_t> CaseId(const Args& args) {
  ASSIGN_OR_RETURN(std::string text, OnePositional(args, "the case number"));
  uint64_t id = 0;
  if (!absl::SimpleAtoi(text, &id))
    return absl::InvalidArgumentError("the case number is a number");
  return id;
}

void PrintCase(const v1::CareerCase& c) {
  std::cout << c.kind_label() << " #" << c.id() << " — " << c.teacher_number()
            << " " << c.teacher_name() << ": " << c.state_label() << "\n";
  if (c.kind() == v1::CAREER_STATUS_CHANGE) {
    std::cout << "  status " << c.from_status() << " " << c.from_status_label()
              << " -> " << c.to_status() << " " << c.to_status_label() << " on "
              << c.effective_date() << "\n";
  } else if (c.kind() == v1::CAREER_TRANSFER) {
    std::cout << "  from " << c.from_school() << " " << c.from_school_name()
              << " to " << c.to_school() << " " << c.to_school_name() << " on "
              << c.effective_date() << "\n";
  } else {
    std::cout << "  " << c.rotation_kind() << " at " << c.to_school() << " "
              << c.to_school_name() << " from " << c.start_date() << " to "
              << c.end_date() << (c.backbone() ? " (backbone teacher)" : "")
              << "\n";
  }
  std::cout << "  filed by " << c.filed_by() << " (" << c.filed_unit() << ") "
            << FormatTime(c.filed_unix()) << ": " << c.reason() << "\n";
  std::vector<std::vector<std::string>> rows{
      {"step", "unit", "role", "decision", "by", "when", "reason"}};
  for (int i = 0; i < c.steps_size(); ++i) {
    const v1::CareerStep& s = c.steps(i);
    rows.push_back({absl::StrCat(i),
                    absl::StrCat(s.unit_code(), " ", s.unit_name()), s.role(),
                    s.decision().empty() && c.state() == "open" &&
                            static_cast<uint32_t>(i) == c.step()
                        ? "waiting"
                        : s.decision(),
                    s.decided_by(),
                    s.decided_unix() == 0 ? "" : FormatTime(s.decided_unix()),
                    s.reason()});
  }
  PrintTable(rows, false);
  if (!c.closing_reason().empty())
    std::cout << "  closed: " << c.closing_reason() << "\n";
}

absl::Status FileTransfer(const Args& args) {
  v1::FileTransferRequest request;
  if (!args.positional().empty()) {
    ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                     OnePositional(args, "the teacher number"));
  } else if (args.Has("id-card-file")) {
    ASSIGN_OR_RETURN(std::string id, ReadFile(args.Get("id-card-file")));
    request.set_id_card_number(std::string(absl::StripAsciiWhitespace(id)));
  } else {
    return absl::InvalidArgumentError(
        "give the teacher number, or --id-card-file FILE");
  }
  request.set_to_school(args.Get("to"));
  request.set_effective_date(args.Get("date"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(&Stub::FileTransfer, request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status FileStatus(const Args& args) {
  v1::FileStatusChangeRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  request.set_status(args.Get("to"));
  request.set_effective_date(args.Get("date"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(&Stub::FileStatusChange, request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status FileRotation(const Args& args) {
  v1::FileRotationRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  request.set_host_school(args.Get("host"));
  request.set_start_date(args.Get("from"));
  request.set_end_date(args.Get("until"));
  request.set_kind(args.Get("kind"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(&Stub::FileRotation, request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status Decide(const Args& args, bool approve) {
  ASSIGN_OR_RETURN(uint64_t id, CaseId(args));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  v1::CareerCaseRequest get;
  get.set_case_id(id);
  ASSIGN_OR_RETURN(v1::CareerCase seen,
                   client->Call(&Stub::GetCareerCase, get));
  v1::DecideCareerStepRequest request;
  request.set_case_id(id);
  request.set_step(seen.step());  // the step shown, so a repeat decides nothing
  request.set_decision(approve ? v1::DecideCareerStepRequest::APPROVE
                               : v1::DecideCareerStepRequest::RETURN);
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(&Stub::DecideCareerStep, request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status Close(const Args& args, bool end_rotation) {
  v1::CareerCaseRequest request;
  ASSIGN_OR_RETURN(uint64_t id, CaseId(args));
  request.set_case_id(id);
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(end_rotation ? &Stub::EndRotation
                                             : &Stub::WithdrawCareerCase,
                                request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status Show(const Args& args) {
  v1::CareerCaseRequest request;
  ASSIGN_OR_RETURN(uint64_t id, CaseId(args));
  request.set_case_id(id);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CareerCase c,
                   client->Call(&Stub::GetCareerCase, request));
  PrintCase(c);
  return absl::OkStatus();
}

absl::Status List(const Args& args, v1::CareerKind kind) {
  v1::ListCareerCasesRequest request;
  request.set_kind(kind);
  request.set_view(args.Get("view"));
  request.set_state(args.Get("state"));
  request.set_teacher_number(args.Get("teacher"));
  ASSIGN_OR_RETURN(int64_t size, args.GetInt("page-size", 50));
  request.set_page_size(static_cast<uint32_t>(size));
  request.set_page_token(args.Get("page-token"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ListCareerCasesResponse list,
                   client->Call(&Stub::ListCareerCases, request));
  std::vector<std::vector<std::string>> rows{
      {"case", "filed", "teacher", "name", "from", "to", "date", "state"}};
  for (const v1::CareerCase& c : list.cases()) {
    rows.push_back({absl::StrCat(c.id()), FormatTime(c.filed_unix()),
                    c.teacher_number(), c.teacher_name(),
                    c.kind() == v1::CAREER_STATUS_CHANGE ? c.from_status_label()
                                                         : c.from_school(),
                    c.kind() == v1::CAREER_STATUS_CHANGE ? c.to_status_label()
                                                         : c.to_school(),
                    c.kind() == v1::CAREER_ROTATION
                        ? c.start_date() + ".." + c.end_date()
                        : c.effective_date(),
                    c.state_label()});
  }
  PrintTable(rows, args.Get("format") == "csv");
  if (!list.next_page_token().empty())
    std::cerr << "more: --page-token " << list.next_page_token() << "\n";
  return absl::OkStatus();
}

std::string Percent(double share) {
  return absl::StrFormat("%.1f%%", 100.0 * share);
}

absl::Status RotationReport(const Args& args) {
  v1::RotationReportRequest request;
  request.set_unit_code(args.Get("unit"));
  ASSIGN_OR_RETURN(int64_t year, args.GetInt("school-year", 0));
  request.set_school_year(static_cast<uint32_t>(year));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::RotationReport r,
                   client->Call(&Stub::GetRotationReport, request));
  std::cout << "rotation " << r.unit_code() << " " << r.unit_name()
            << ", school year " << r.from_date() << ".." << r.to_date()
            << " (eligible: " << r.years_required()
            << " years at one school; targets " << Percent(r.target_share())
            << " of the eligible, " << Percent(r.target_backbone_share())
            << " backbone)\n";
  std::vector<std::vector<std::string>> rows{
      {"unit", "name", "teachers", "eligible", "rotated", "of them eligible",
       "share", "backbone", "backbone share"}};
  auto add = [&](const v1::RotationReportRow& row) {
    rows.push_back(
        {row.unit_code(), row.unit_name(), absl::StrCat(row.teachers()),
         absl::StrCat(row.eligible()), absl::StrCat(row.rotated()),
         absl::StrCat(row.rotated_eligible()), Percent(row.share()),
         absl::StrCat(row.backbone_rotated()), Percent(row.backbone_share())});
  };
  for (const v1::RotationReportRow& row : r.children()) add(row);
  add(r.total());
  PrintTable(rows, args.Get("format") == "csv");
  return absl::OkStatus();
}

// approve, return, withdraw, show and list for one kind.
void AddDecisions(const Kind& k, std::vector<cli::Command>* out) {
  const std::string w = k.word;
  out->push_back(
      {w + " approve",
       absl::StrCat("approve the step of ", k.what, " waiting for your unit"),
       "CASE", LoginFlagsWith({{"reason", "TEXT", "optional remark"}}),
       [](const Args& a) { return Decide(a, true); }});
  out->push_back(
      {w + " return",
       absl::StrCat("return ", k.what, " (closes it) with a reason"), "CASE",
       LoginFlagsWith({{"reason", "TEXT", "required: the filer reads it"}}),
       [](const Args& a) { return Decide(a, false); }});
  out->push_back(
      {w + " withdraw",
       absl::StrCat("withdraw ", k.what, " your unit filed, while open"),
       "CASE", LoginFlagsWith({{"reason", "TEXT", "required"}}),
       [](const Args& a) { return Close(a, false); }});
  out->push_back(
      {w + " show",
       absl::StrCat(k.what, " with each step: who decided, when, why"), "CASE",
       LoginFlags(), Show});
  const v1::CareerKind kind = k.kind;
  out->push_back(
      {w + " list", absl::StrCat("cases of ", k.what, " kind"), "",
       LoginFlagsWith(
           {{"view", "VIEW",
             "waiting (for your unit), filed (by it) or scope (default)"},
            {"state", "STATE",
             "open, completed, returned, withdrawn, in_effect, ended"},
            {"teacher", "NUMBER", "one teacher's"},
            {"page-size", "N", "default 50"},
            {"page-token", "TOKEN", "from the previous page"},
            {"format", "FORMAT", "table (default) or csv"}}),
       [kind](const Args& a) { return List(a, kind); }});
}

}  // namespace

std::vector<cli::Command> CareerCommands() {
  std::vector<cli::Command> commands = {
      {"transfer file",
       "file a transfer to your school (the receiving school files; four steps "
       "decide it)",
       "[TEACHER_NUMBER]",
       LoginFlagsWith(
           {{"id-card-file", "FILE",
             "find the teacher by the ID-card number in FILE"},
            {"to", "SCHOOL", "the receiving school (default: your unit)"},
            {"date", "YYYY-MM-DD", "effective date"},
            {"reason", "TEXT", "required"}}),
       FileTransfer},
      {"status file",
       "file an in-service status change (JY/T 1001 codes; the county decides)",
       "TEACHER_NUMBER",
       LoginFlagsWith(
           {{"to", "STATUS", "code or label: 01 退休, 04 返聘, 11 在职, …"},
            {"date", "YYYY-MM-DD", "effective date"},
            {"reason", "TEXT", "required"}}),
       FileStatus},
      {"rotation file",
       "file an exchange rotation without a change of employer (the county "
       "decides)",
       "TEACHER_NUMBER",
       LoginFlagsWith(
           {{"host", "SCHOOL", "the host school"},
            {"from", "YYYY-MM-DD", "start date"},
            {"until", "YYYY-MM-DD", "end date"},
            {"kind", "KIND", "轮岗, 支教, 走教, 交流, 跟岗 or 对口帮扶"},
            {"reason", "TEXT", "optional"}}),
       FileRotation},
      {"rotation end",
       "end a rotation in effect today (its home school or county)", "CASE",
       LoginFlagsWith({{"reason", "TEXT", "required"}}),
       [](const Args& a) { return Close(a, true); }},
      {"rotation report",
       "a unit's rotation this school year against the 10% and 20% targets", "",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"},
                       {"school-year", "YYYY",
                        "the year it starts (default: the current one)"},
                       {"format", "FORMAT", "table (default) or csv"}}),
       RotationReport},
  };
  for (const Kind& k : {kTransfer, kStatus, kRotation})
    AddDecisions(k, &commands);
  return commands;
}

}  // namespace ntmis::provincial
