// ntmis-national init and user …: the ministry's central accounts, managed
// on the node's host (national/accounts/central_accounts.h). The first
// administrator comes from `init`; administrators make the other accounts
// here or in the ministry's console. Every change is in the national audit
// under the actor "host".
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/pki/peer_identity.h"
#include "national/accounts/central_accounts.h"
#include "national/cli/commands.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::national {
namespace {

using cli::Args;

constexpr char kHost[] = "host";

// national.db's accounts and audit, without opening the province files.
struct Accounts {
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<CentralAccounts> accounts;
};

absl::StatusOr<Accounts> OpenAccounts(const Args& args) {
  if (!args.Has("config"))
    return absl::InvalidArgumentError("--config FILE is required");
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  Accounts a;
  ASSIGN_OR_RETURN(a.audit, AuditLog::Open(path));
  ASSIGN_OR_RETURN(a.accounts, CentralAccounts::Open(path, *a.audit));
  return a;
}

const Operator kHostOperator{kHost, OperatorRole::kAdmin, true};

absl::Status Audited(Accounts& a, const char* action, const std::string& target,
                     const absl::Status& result) {
  a.audit->Append({kHost, action, target,
                   result.ok() ? "ok" : absl::StatusCodeToString(result.code()),
                   result.ok() ? "" : std::string(result.message())});
  RETURN_IF_ERROR(a.audit->Flush(absl::Seconds(10)));
  return result;
}

void PrintNew(const v1::CentralNewAccount& made) {
  std::cout << "account " << made.user().username() << " ("
            << OperatorRoleName(*CentralRoleFromProto(made.user().role()))
            << "), one-time password: " << made.initial_password()
            << "\nhand it over in person; it must be changed at the first "
               "login to the ministry's console\n";
}

absl::Status Init(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  const std::string name = args.Get("admin", "admin");
  auto made = a.accounts->CreateFirstAdmin(name);
  RETURN_IF_ERROR(Audited(a, "user.create", name, made.status()));
  PrintNew(*made);
  return absl::OkStatus();
}

absl::Status Create(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  ASSIGN_OR_RETURN(OperatorRole role, ParseOperatorRole(args.Get("role")));
  auto made = a.accounts->Create(kHostOperator, args.Get("username"), role);
  RETURN_IF_ERROR(
      Audited(a, "user.create", args.Get("username"), made.status()));
  PrintNew(*made);
  return absl::OkStatus();
}

absl::Status List(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  ASSIGN_OR_RETURN(v1::ListCentralUsersResponse list,
                   a.accounts->List(kHostOperator, std::time(nullptr)));
  for (const v1::CentralUser& u : list.users()) {
    std::cout << u.username() << "\t"
              << OperatorRoleName(*CentralRoleFromProto(u.role()))
              << (u.disabled() ? "\tdisabled" : "")
              << (u.locked() ? "\tlocked" : "")
              << (u.must_change_password() ? "\tinitial password" : "") << "\n";
  }
  return absl::OkStatus();
}

absl::Status ResetPassword(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  auto made = a.accounts->ResetPassword(kHostOperator, args.Get("username"));
  RETURN_IF_ERROR(
      Audited(a, "user.reset_password", args.Get("username"), made.status()));
  PrintNew(*made);
  return absl::OkStatus();
}

absl::Status Unlock(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  auto user = a.accounts->Unlock(kHostOperator, args.Get("username"),
                                 std::time(nullptr));
  RETURN_IF_ERROR(
      Audited(a, "user.unlock", args.Get("username"), user.status()));
  std::cout << "unlocked " << user->username() << "\n";
  return absl::OkStatus();
}

absl::Status Disable(const Args& args) {
  ASSIGN_OR_RETURN(Accounts a, OpenAccounts(args));
  const bool enable = args.Has("enable");
  auto user = a.accounts->SetDisabled(kHostOperator, args.Get("username"),
                                      !enable, std::time(nullptr));
  RETURN_IF_ERROR(Audited(a, enable ? "user.enable" : "user.disable",
                          args.Get("username"), user.status()));
  std::cout << (enable ? "enabled " : "disabled ") << user->username() << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> UserCommands() {
  const cli::Flag config{"config", "FILE", "ntmis.v1.NationalConfig text"};
  const cli::Flag username{"username", "NAME", "the account"};
  return {
      {"init",
       "create national.db and the first administrator of the ministry's "
       "console (prints its one-time password)",
       "",
       {config, {"admin", "NAME", "its user name (default admin)"}},
       Init},
      {"user create",
       "create a central account (prints its one-time password)",
       "",
       {config, username, {"role", "ROLE", "admin, manager or querier"}},
       Create},
      {"user list", "list the central accounts", "", {config}, List},
      {"user reset-password",
       "give an account a new one-time password (its sessions end)",
       "",
       {config, username},
       ResetPassword},
      {"user unlock",
       "end an account's lockouts from every address",
       "",
       {config, username},
       Unlock},
      {"user disable",
       "disable an account (its sessions end), or with --enable enable it",
       "",
       {config, username, {"enable", "", "enable instead"}},
       Disable},
  };
}

}  // namespace ntmis::national
