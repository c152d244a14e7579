// Accounts of the provincial node: creation with the password rules of
// common/login/password_rules.h, the data of logins (their rules:
// common/login/login_gate.h; their tables: common/login/login_tables.h),
// bearer-token sessions with idle expiry.
//
// Not thread-safe: one Accounts per Store (a lane of
// provincial/core/store_pool.h), used by the thread that holds it.
#ifndef NTMIS_PROVINCIAL_CORE_ACCOUNTS_H_
#define NTMIS_PROVINCIAL_CORE_ACCOUNTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/concurrency_limit.h"
#include "common/login/login_tables.h"
#include "common/login/password_rules.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/store.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

// A new account and its generated initial password (to show once).
struct NewAccount {
  User user;
  std::string initial_password;
  // For the slip that hands it over (账号分发单).
  std::string unit_name, teacher_name;
};
// The new account and its one-time password, as the transports return it.
void ToProto(const NewAccount& account, v1::CreateUserResponse* out);

// Accounts per unit and role: 1 system administrator, 1 information
// manager (up to `higher_education_managers` at a higher-education
// institution), 2 queriers.
struct AccountQuota {
  int sysadmins = 1;
  int managers = 1;
  int higher_education_managers = 10;
  int queriers = 2;
};

struct AccountPolicy : SessionPolicy {
  AccountQuota quota;
};

class Accounts {
 public:
  // `hashing` (may be null: unbounded) bounds how many password hashes run
  // at once across the node.
  explicit Accounts(Store& store, AccountPolicy policy = {},
                    ConcurrencyLimit* hashing = nullptr)
      : store_(store), policy_(policy), hashing_(hashing) {}

  // An account without checking who asks (init and tests).
  absl::StatusOr<User> Create(const std::string& username,
                              const std::string& unit_code, Role role,
                              const std::string& password,
                              bool must_change_password,
                              const std::string& teacher_number = "");

  // Account management on behalf of `actor`, who must be a system
  // administrator: accounts of its own unit, and the system administrators
  // of the units one level down. PERMISSION_DENIED otherwise, naming the
  // rule; RESOURCE_EXHAUSTED past the unit's quota. Initial passwords are
  // generated and must be changed at first login.
  absl::StatusOr<NewAccount> CreateFor(const User& actor,
                                       const std::string& username,
                                       const std::string& unit_code, Role role);
  absl::StatusOr<NewAccount> ResetPassword(const User& actor,
                                           const std::string& username);
  absl::StatusOr<User> Unlock(const User& actor, const std::string& username);
  absl::StatusOr<User> SetDisabled(const User& actor,
                                   const std::string& username, bool disabled);
  // The accounts of `unit_code` (the actor's own unit when empty; and
  // below), which must be within the actor's unit; a system
  // administrator's view.
  absl::StatusOr<std::vector<User>> List(const User& actor,
                                         const std::string& unit_code,
                                         bool include_below);
  // The same as the API answers it: each account with its unit's name.
  absl::StatusOr<v1::ListUsersResponse> ListView(const User& actor,
                                                 const std::string& unit_code,
                                                 bool include_below);
  // Self-service accounts for the effective teachers of a school who have
  // none (user name = teacher number), by the school's system administrator
  // (`school` empty: the actor's own unit).
  absl::StatusOr<std::vector<NewAccount>> CreateTeacherAccounts(
      const User& actor, const std::string& school);
  // The open units one level below `unit_code` (within the actor's unit),
  // each with its enabled accounts by role: a system administrator's view
  // of who still needs an account (seeds: accounts are distributed level by
  // level).
  absl::StatusOr<v1::ChildAccountsResponse> ChildAccounts(
      const User& actor, const std::string& unit_code);
  // A system administrator for every open unit directly below the actor's
  // own unit that has none, named admin<unit code> (admin<code>.2 … if that
  // name is taken), each with a generated password to hand over once.
  // `unit_code` is the actor's own unit (or empty for it); any other unit
  // is refused (PERMISSION_DENIED): accounts are handed out level by level.
  absl::StatusOr<std::vector<NewAccount>> CreateMissingAdmins(
      const User& actor, const std::string& unit_code);

  // The user's own password: the old one must match; the new one must meet
  // the rules and differ from it. Clears must_change_password.
  absl::Status ChangePassword(const User& user, const std::string& old_password,
                              const std::string& new_password);

  absl::StatusOr<User> Find(const std::string& username);

  // The steps of a login, whose rules are in provincial/core/logins.h. The
  // account and its failures from `source`; found = false for an unknown name.
  absl::StatusOr<LoginRecord> ReadForLogin(const std::string& username,
                                           const std::string& source);
  // Counts a wrong password from `source`; at `max_failures` the account is
  // locked for that source until now + lockout_seconds. Returns the count.
  absl::StatusOr<int64_t> RecordLoginFailure(int64_t user_id,
                                             const std::string& source,
                                             int64_t now, int max_failures,
                                             int64_t lockout_seconds);
  // A new session, in one transaction with clearing `source`'s failures.
  absl::StatusOr<Session> OpenSession(int64_t user_id,
                                      const std::string& source, int64_t now);

  // Ends the session of `token` (nothing happens for an unknown one).
  absl::Status EndSession(const std::string& token);

  // The user behind a bearer token; UNAUTHENTICATED if unknown or expired
  // or the account is disabled. Writes the session's last use at most every
  // touch_interval_seconds.
  absl::StatusOr<User> Authenticate(const std::string& token, int64_t now);
  // Authenticate for `action`: while the account's password is still the
  // generated one, only changing it, logging out and asking who one is
  // ("user.change_password", "user.logout", "user.whoami") pass;
  // FAILED_PRECONDITION for anything else. Every transport calls this.
  absl::StatusOr<User> AuthenticateFor(const std::string& token,
                                       const std::string& action, int64_t now);

  // A password hash, or whether `password` matches `hash`, within the
  // node's hashing limit.
  absl::StatusOr<std::string> HashPassword(const std::string& password);
  bool VerifyPassword(const std::string& password, const std::string& hash);

 private:
  // OK if `actor` may manage an account of `role` at `unit_code`.
  absl::Status CheckManages(const User& actor, const std::string& unit_code,
                            Role role);
  absl::Status CheckQuota(const std::string& unit_code, Role role);
  absl::Status SetPassword(int64_t id, const std::string& password,
                           bool must_change);

  Store& store_;
  AccountPolicy policy_;
  ConcurrencyLimit* const hashing_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_ACCOUNTS_H_
