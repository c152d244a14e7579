// user …, unit … and audit … commands.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_archive.h"
#include "common/audit/audit_log.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/tables/csv.h"
#include "common/teacher/code_tables.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"
#include "provincial/core/accounts.h"

namespace ntmis::provincial {
namespace {

using cli::Args;
using Stub = v1::ProvincialApi::StubInterface;

const char* RoleText(v1::UserRole role) {
  absl::StatusOr<Role> r = RoleFromProto(role);
  return r.ok() ? RoleName(*r) : "?";
}

absl::StatusOr<v1::UserRole> RoleArg(const std::string& name) {
  ASSIGN_OR_RETURN(Role role, ParseRole(name));
  if (role == Role::kTeacher)
    return absl::InvalidArgumentError(
        "--role: sysadmin, manager or querier (teacher accounts "
        "come from `user teacher-accounts`)");
  return RoleToProto(role);
}

void PrintAccounts(const std::vector<const v1::UserAccount*>& users, bool csv) {
  std::vector<std::vector<std::string>> rows{
      {"user", "unit", "role", "teacher", "state", "created"}};
  for (const v1::UserAccount* u : users) {
    std::string state =
        u->disabled() ? "disabled"
        : u->locked()
            ? absl::StrCat("locked until ", FormatTime(u->locked_until_unix()))
        : u->must_change_password() ? "password to change"
                                    : "active";
    rows.push_back({u->username(), u->unit_code(), RoleText(u->role()),
                    u->teacher_number(), state, FormatTime(u->created_unix())});
  }
  PrintTable(rows, csv);
}

void PrintNewAccount(const v1::CreateUserResponse& created) {
  std::cout << "user " << created.user().username() << " ("
            << RoleText(created.user().role()) << " of unit "
            << created.user().unit_code() << ")\n"
            << "initial password (shown once; to be changed at first login): "
            << created.initial_password() << "\n";
}

absl::Status UserPasswd(const Args& args) {
  if (!args.Has("new-password-file"))
    return absl::InvalidArgumentError("--new-password-file FILE is required");
  ASSIGN_OR_RETURN(std::string fresh, ReadFile(args.Get("new-password-file")));
  while (!fresh.empty() && (fresh.back() == '\n' || fresh.back() == '\r'))
    fresh.pop_back();
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  v1::ChangePasswordRequest request;
  ASSIGN_OR_RETURN(*request.mutable_old_password(), ReadPassword(args));
  request.set_new_password(fresh);
  RETURN_IF_ERROR(client->Call(&Stub::ChangePassword, request).status());
  std::cout << "password changed for " << args.Get("user")
            << "; other sessions ended\n";
  return absl::OkStatus();
}

absl::Status UserCreate(const Args& args) {
  ASSIGN_OR_RETURN(std::string name, OnePositional(args, "the new user name"));
  v1::CreateUserRequest request;
  request.set_username(name);
  request.set_unit_code(args.Get("unit"));
  ASSIGN_OR_RETURN(v1::UserRole role, RoleArg(args.Get("role")));
  request.set_role(role);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CreateUserResponse created,
                   client->Call(&Stub::CreateUser, request));
  PrintNewAccount(created);
  return absl::OkStatus();
}

absl::Status UserList(const Args& args) {
  v1::ListUsersRequest request;
  request.set_unit_code(args.Get("unit"));
  request.set_include_below(args.Has("below"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ListUsersResponse list,
                   client->Call(&Stub::ListUsers, request));
  std::vector<const v1::UserAccount*> users;
  for (const auto& u : list.users()) users.push_back(&u);
  PrintAccounts(users, args.Get("format") == "csv");
  return absl::OkStatus();
}

absl::Status UserReset(const Args& args) {
  v1::UserRequest request;
  ASSIGN_OR_RETURN(*request.mutable_username(),
                   OnePositional(args, "the user name"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CreateUserResponse reset,
                   client->Call(&Stub::ResetPassword, request));
  PrintNewAccount(reset);
  return absl::OkStatus();
}

absl::Status UserUnlock(const Args& args) {
  v1::UserRequest request;
  ASSIGN_OR_RETURN(*request.mutable_username(),
                   OnePositional(args, "the user name"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UserAccount user,
                   client->Call(&Stub::UnlockUser, request));
  PrintAccounts({&user}, false);
  return absl::OkStatus();
}

absl::Status UserDisable(const Args& args, bool disabled) {
  v1::SetUserDisabledRequest request;
  ASSIGN_OR_RETURN(*request.mutable_username(),
                   OnePositional(args, "the user name"));
  request.set_disabled(disabled);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UserAccount user,
                   client->Call(&Stub::SetUserDisabled, request));
  PrintAccounts({&user}, false);
  return absl::OkStatus();
}

// Writes new accounts and their initial passwords to --out (never to the
// terminal), for `what` ("teacher accounts").
absl::Status WriteNewAccounts(const Args& args,
                              const v1::CreateTeacherAccountsResponse& made,
                              const std::string& what) {
  std::string csv;
  AppendCsvLine(
      &csv, {"username", "unit_code", "teacher_number", "initial_password"});
  for (const auto& a : made.accounts()) {
    AppendCsvLine(&csv, {a.user().username(), a.user().unit_code(),
                         a.user().teacher_number(), a.initial_password()});
  }
  std::ofstream out(args.Get("out"), std::ios::binary);
  out << csv;
  if (!out)
    return absl::InternalError(absl::StrCat("cannot write ", args.Get("out")));
  std::cout << made.accounts_size() << " " << what
            << " created; initial passwords in " << args.Get("out")
            << " (hand them out, then delete the file)\n";
  return absl::OkStatus();
}

absl::Status UserTeacherAccounts(const Args& args) {
  if (!args.Has("out"))
    return absl::InvalidArgumentError(
        "--out FILE is required (the initial passwords go there)");
  v1::UnitRequest request;
  request.set_unit_code(args.Get("unit"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CreateTeacherAccountsResponse made,
                   client->Call(&Stub::CreateTeacherAccounts, request));
  return WriteNewAccounts(args, made, "teacher accounts");
}

absl::Status UserMissingAdmins(const Args& args) {
  if (!args.Has("out"))
    return absl::InvalidArgumentError(
        "--out FILE is required (the initial passwords go there)");
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CreateTeacherAccountsResponse made,
                   client->Call(&Stub::CreateMissingAdmins, v1::UnitRequest()));
  return WriteNewAccounts(args, made, "system administrator accounts");
}

void PrintUnits(const std::vector<const v1::UnitInfo*>& units, bool csv) {
  static const char* kLevels[] = {"", "province", "city", "county", "school"};
  std::vector<std::vector<std::string>> rows{
      {"code", "parent", "level", "name", "category", "state"}};
  for (const v1::UnitInfo* u : units) {
    rows.push_back(
        {u->code(), u->parent_code(), kLevels[u->level() <= 4 ? u->level() : 0],
         u->name(),
         u->school_category() == 0
             ? ""
             : CodeTable::Of<v1::SchoolCategory>().Label(u->school_category()),
         u->closed() ? "closed" : "open"});
  }
  PrintTable(rows, csv);
}

absl::Status UnitAdd(const Args& args) {
  v1::UnitInfo request;
  ASSIGN_OR_RETURN(*request.mutable_code(),
                   OnePositional(args, "the new unit's code"));
  request.set_parent_code(args.Get("parent"));
  request.set_name(args.Get("name"));
  const std::string level = args.Get("level");
  request.set_level(level == "city"     ? 2
                    : level == "county" ? 3
                    : level == "school" ? 4
                                        : 0);
  if (request.level() == 0)
    return absl::InvalidArgumentError("--level: city, county or school");
  if (args.Has("category")) {
    ASSIGN_OR_RETURN(int category, CodeTable::Of<v1::SchoolCategory>().Parse(
                                       args.Get("category")));
    request.set_school_category(category);
  }
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UnitInfo unit, client->Call(&Stub::AddUnit, request));
  PrintUnits({&unit}, false);
  return absl::OkStatus();
}

absl::Status UnitRename(const Args& args) {
  v1::RenameUnitRequest request;
  ASSIGN_OR_RETURN(*request.mutable_code(),
                   OnePositional(args, "the unit code"));
  request.set_name(args.Get("name"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UnitInfo unit, client->Call(&Stub::RenameUnit, request));
  PrintUnits({&unit}, false);
  return absl::OkStatus();
}

absl::Status UnitMove(const Args& args) {
  v1::MoveUnitRequest request;
  ASSIGN_OR_RETURN(*request.mutable_code(),
                   OnePositional(args, "the school code"));
  request.set_new_parent_code(args.Get("parent"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UnitInfo unit, client->Call(&Stub::MoveUnit, request));
  PrintUnits({&unit}, false);
  return absl::OkStatus();
}

absl::Status UnitClose(const Args& args) {
  v1::CloseUnitRequest request;
  ASSIGN_OR_RETURN(*request.mutable_code(),
                   OnePositional(args, "the unit code"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::UnitInfo unit, client->Call(&Stub::CloseUnit, request));
  PrintUnits({&unit}, false);
  return absl::OkStatus();
}

absl::Status UnitList(const Args& args) {
  v1::ListUnitsRequest request;
  request.set_unit_code(args.Get("unit"));
  request.set_include_closed(args.Has("closed"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ListUnitsResponse list,
                   client->Call(&Stub::ListUnits, request));
  std::vector<const v1::UnitInfo*> units;
  for (const auto& u : list.units()) units.push_back(&u);
  PrintUnits(units, args.Get("format") == "csv");
  return absl::OkStatus();
}

absl::StatusOr<int64_t> DateArg(const Args& args, const std::string& flag,
                                bool end_of_day) {
  if (!args.Has(flag)) return 0;
  int y, m, d;
  if (std::sscanf(args.Get(flag).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3)
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " YYYY-MM-DD"));
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  int64_t day =
      static_cast<int64_t>(timegm(&tm)) - 8 * 3600;  // midnight in UTC+8
  return end_of_day ? day + 86399 : day;
}

absl::Status AuditQueryCommand(const Args& args) {
  v1::AuditQuery request;
  request.set_actor(args.Get("actor"));
  request.set_action(args.Get("action"));
  request.set_target(args.Get("target"));
  request.set_unit_code(args.Get("unit"));
  ASSIGN_OR_RETURN(int64_t since, DateArg(args, "since", false));
  ASSIGN_OR_RETURN(int64_t until, DateArg(args, "until", true));
  request.set_since_unix(since);
  request.set_until_unix(until);
  ASSIGN_OR_RETURN(int64_t limit, args.GetInt("limit", 100));
  request.set_limit(static_cast<uint32_t>(limit));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::AuditEntries entries,
                   client->Call(&Stub::QueryAudit, request));
  std::vector<std::vector<std::string>> rows{
      {"id", "time", "actor", "action", "target", "result", "detail"}};
  for (const auto& e : entries.entries()) {
    rows.push_back({absl::StrCat(e.id()), FormatTime(e.at_unix()), e.actor(),
                    e.action(), e.target(), e.result(), e.detail()});
  }
  PrintTable(rows, args.Get("format") == "csv");
  return absl::OkStatus();
}

// Through the node as its administrator; or, with --config on the node's
// host, straight on its database with progress (the node may be running).
absl::Status AuditVerifyCommand(const Args& args) {
  AuditVerifyReport report;
  if (args.Has("config")) {
    v1::ProvincialConfig config;
    RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
    ASSIGN_OR_RETURN(auto audit, AuditLog::Open(config.database()));
    AuditVerifyOptions options;
    options.full = args.Has("full");
    if (args.Has("archive"))
      options.archive_dir =
          AuditArchivePlanFrom(config.audit(), config.database()).dir;
    options.progress = PrintAuditVerifyProgress;
    ASSIGN_OR_RETURN(report, audit->Verify(options));
  } else {
    v1::VerifyAuditRequest request;
    request.set_full(args.Has("full"));
    request.set_archive(args.Has("archive"));
    ASSIGN_OR_RETURN(auto client, LoggedIn(args));
    ASSIGN_OR_RETURN(v1::VerifyAuditResponse result,
                     client->Call(&Stub::VerifyAudit, request));
    if (!result.intact()) return absl::DataLossError(result.problem());
    report.entries = result.entries_checked();
    report.walked = result.walked();
    report.archived = result.archived();
    report.incremental = result.incremental();
    report.archive_note = result.archive_note();
  }
  std::cout << DescribeAuditVerify(report) << "\n";
  return absl::OkStatus();
}

const cli::Flag kFormatFlag{"format", "table|csv",
                            "output format (default table)"};

}  // namespace

std::vector<cli::Command> AdminCommands() {
  return {
      {"user passwd",
       "change your own password (required first when it was generated)", "",
       LoginFlagsWith(
           {{"new-password-file", "FILE", "file holding the new password"}}),
       UserPasswd},
      {"user create",
       "create an account (system administrators: own unit, or a system "
       "administrator one level down); prints its initial password",
       "NAME",
       LoginFlagsWith({{"unit", "CODE", "the account's unit"},
                       {"role", "ROLE", "sysadmin, manager or querier"}}),
       UserCreate},
      {"user list", "the accounts of a unit", "",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"},
                       {"below", "", "also every unit below it"},
                       kFormatFlag}),
       UserList},
      {"user reset-password", "give an account a new generated password",
       "NAME", LoginFlags(), UserReset},
      {"user unlock", "lift a lockout after failed logins", "NAME",
       LoginFlags(), UserUnlock},
      {"user disable", "disable an account (its sessions end)", "NAME",
       LoginFlags(), [](const Args& a) { return UserDisable(a, true); }},
      {"user enable", "enable a disabled account", "NAME", LoginFlags(),
       [](const Args& a) { return UserDisable(a, false); }},
      {"user teacher-accounts",
       "create self-service accounts for a school's teachers who have none", "",
       LoginFlagsWith(
           {{"unit", "CODE", "the school (default: your unit)"},
            {"out", "FILE", "CSV of user names and initial passwords"}}),
       UserTeacherAccounts},
      {"user missing-admins",
       "create the system administrator of every unit one level down that "
       "has none (admin<unit code>)",
       "",
       LoginFlagsWith(
           {{"out", "FILE", "CSV of user names and initial passwords"}}),
       UserMissingAdmins},
      {"unit add", "add a city, county or school under an existing unit",
       "CODE",
       LoginFlagsWith({{"parent", "CODE", "the parent unit"},
                       {"level", "LEVEL", "city, county or school"},
                       {"name", "NAME", "the unit's name"},
                       {"category", "CODE", "school category (schools)"}}),
       UnitAdd},
      {"unit rename", "rename a unit", "CODE",
       LoginFlagsWith({{"name", "NAME", "the new name"}}), UnitRename},
      {"unit move",
       "move a school to another county (its effective records are re-sent)",
       "CODE", LoginFlagsWith({{"parent", "CODE", "the new county"}}),
       UnitMove},
      {"unit close",
       "close a unit with no open units or active teachers left (history "
       "stays)",
       "CODE", LoginFlagsWith({{"reason", "TEXT", "why (required; audited)"}}),
       UnitClose},
      {"unit list", "the units directly below a unit", "",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"},
                       {"closed", "", "include closed units"},
                       kFormatFlag}),
       UnitList},
      {"audit query", "search the audit log (newest first)", "",
       LoginFlagsWith(
           {{"actor", "NAME", "who"},
            {"action", "ACTION", "exact, or a prefix ending in '.' (teacher.)"},
            {"target", "TEXT", "what it acted on"},
            {"unit", "CODE", "actions by the accounts of this unit and below"},
            {"since", "YYYY-MM-DD", "from this day"},
            {"until", "YYYY-MM-DD", "to this day"},
            {"limit", "N", "at most N entries (default 100)"},
            kFormatFlag}),
       AuditQueryCommand},
      {"audit verify",
       "check the audit log's hash chain; names the first broken link", "",
       LoginFlagsWith(
           {{"full", "",
             "walk every entry, not only those since the last check"},
            {"archive", "", "also the archive files (implies --full)"},
            {"config", "FILE",
             "on the node's host: verify its database directly, "
             "with progress (no login)"}}),
       AuditVerifyCommand},
  };
}

}  // namespace ntmis::provincial
