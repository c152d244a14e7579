// The ministry's central accounts: the people who use the ministry's web
// console, each with one of the three roles operator certificates carry
// (national/accounts/operator.h). The same rules as a province's accounts,
// from the same code: names and passwords (common/login/password_rules.h),
// generated passwords changed at the first login, the login throttle and
// lockout per address (common/login/login_gate.h), hashed passwords and
// session tokens with idle expiry (common/login/login_tables.h). Only
// administrators manage accounts; the first one is made on the host
// (`ntmis-national init`). Lives in national.db (users, sessions,
// login_failures).
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_ACCOUNTS_CENTRAL_ACCOUNTS_H_
#define NTMIS_NATIONAL_ACCOUNTS_CENTRAL_ACCOUNTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_log.h"
#include "common/base/concurrency_limit.h"
#include "common/login/login_gate.h"
#include "common/sql/sqlite.h"
#include "national/accounts/operator.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

struct CentralAccount {
  int64_t id = 0;
  std::string username;
  OperatorRole role = OperatorRole::kQuerier;
  bool must_change_password = false;
  bool disabled = false;
  int64_t locked_until_unix = 0;  // the latest lock from any address
  int64_t created_unix = 0;
};
// As every transport shows it; `locked` as of `now`.
void ToProto(const CentralAccount& account, int64_t now, v1::CentralUser* out);

class CentralAccounts : private LoginAccounts {
 public:
  // national.db's tables (a migration of national/ingest/national_store.cc).
  static constexpr const char* kSchema = kLoginTablesSchema;

  // `audit` must outlive this.
  static absl::StatusOr<std::unique_ptr<CentralAccounts>> Open(
      const std::string& path, AuditLog& audit, LoginPolicy policy = {},
      SessionPolicy sessions = {});

  // A session for a right password (the rules: LoginGate::Login).
  absl::StatusOr<Session> Login(const LoginAttempt& attempt, int64_t now) {
    return gate_.Login(attempt, now);
  }
  absl::Status Logout(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);
  // The operator behind a session token, for `action` (a gRPC method
  // name): UNAUTHENTICATED when the session is unknown, expired or idle or
  // the account disabled; while the password is still the generated one,
  // only ChangePassword, Logout and WhoAmI pass (FAILED_PRECONDITION).
  absl::StatusOr<CentralAccount> Authenticate(const std::string& token,
                                              const std::string& action,
                                              int64_t now)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The account's own password: the old one must match; the new one must
  // meet the rules and differ. Clears must_change_password.
  absl::Status ChangePassword(const std::string& username,
                              const std::string& old_password,
                              const std::string& new_password)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The first administrator, made on the host: ALREADY_EXISTS when an
  // enabled administrator exists. The generated password is in the answer.
  absl::StatusOr<v1::CentralNewAccount> CreateFirstAdmin(
      const std::string& username) ABSL_LOCKS_EXCLUDED(mu_);

  // Account management, by an administrator (PERMISSION_DENIED otherwise).
  // New and reset passwords are generated and must be changed at the first
  // login.
  absl::StatusOr<v1::CentralNewAccount> Create(const Operator& actor,
                                               const std::string& username,
                                               OperatorRole role)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::ListCentralUsersResponse> List(const Operator& actor,
                                                    int64_t now)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::CentralNewAccount> ResetPassword(
      const Operator& actor, const std::string& username)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::CentralUser> Unlock(const Operator& actor,
                                         const std::string& username,
                                         int64_t now) ABSL_LOCKS_EXCLUDED(mu_);
  // An administrator cannot disable its own account.
  absl::StatusOr<v1::CentralUser> SetDisabled(const Operator& actor,
                                              const std::string& username,
                                              bool disabled, int64_t now)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The operator a central account acts as.
  static Operator AsOperator(const CentralAccount& account) {
    return {account.username, account.role, /*by_certificate=*/false};
  }

 private:
  CentralAccounts(sql::Database db, AuditLog& audit, LoginPolicy policy,
                  SessionPolicy sessions)
      : db_(std::move(db)),
        sessions_(sessions),
        gate_(*this, audit, hashing_, policy) {}

  absl::StatusOr<LoginRecord> ReadForLogin(const std::string& username,
                                           const std::string& source) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<int64_t> RecordFailure(int64_t user_id,
                                        const std::string& source, int64_t now,
                                        int max_failures,
                                        int64_t lockout_seconds) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Session> OpenSession(int64_t user_id,
                                      const std::string& source,
                                      int64_t now) override
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<CentralAccount> Find(const std::string& username)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<CentralAccount> FindById(int64_t id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::CentralNewAccount> Insert(const std::string& username,
                                               OperatorRole role)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
  const SessionPolicy sessions_;
  // Password hashes run outside mu_, two at a time (scrypt is the cost of a
  // login, by design).
  ConcurrencyLimit hashing_{2};
  LoginGate gate_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ACCOUNTS_CENTRAL_ACCOUNTS_H_
