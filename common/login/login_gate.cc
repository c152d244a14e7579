#include "common/login/login_gate.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/metrics/metrics.h"

namespace ntmis {
namespace {

// Hashing it costs what checking a real password costs.
constexpr char kNoAccountHash[] = "scrypt$16384$8$1$00$00";

std::string Result(const absl::Status& status) {
  return status.ok() ? "ok" : absl::StatusCodeToString(status.code());
}

}  // namespace

const char kLoginRefused[] =
    "用户名或密码错误（在同一地址连续输错 5 次，账号将在该地址锁定 15 "
    "分钟；本单位系统管理员可以解锁）";

std::string MaskTypedName(const std::string& typed) {
  if (typed.empty()) return "(empty)";
  // The first character whole, even when it is a multi-byte UTF-8 one.
  size_t first = 1;
  while (first < typed.size() &&
         (static_cast<unsigned char>(typed[first]) & 0xC0) == 0x80)
    ++first;
  size_t chars = 0;
  for (unsigned char c : typed) chars += (c & 0xC0) != 0x80;
  return absl::StrCat(typed.substr(0, first),
                      std::string(chars > 1 ? chars - 1 : 0, '*'));
}

std::string PeerAddress(const std::string& grpc_peer) {
  absl::string_view peer = grpc_peer;
  if (!absl::ConsumePrefix(&peer, "ipv4:") &&
      !absl::ConsumePrefix(&peer, "ipv6:"))
    return std::string(peer);  // unix sockets and the like: the whole name
  if (absl::ConsumePrefix(&peer, "[")) {
    size_t end = peer.find(']');
    return std::string(peer.substr(0, end));
  }
  size_t colon = peer.rfind(':');
  return std::string(colon == absl::string_view::npos ? peer
                                                      : peer.substr(0, colon));
}

absl::StatusOr<Session> LoginGate::Login(const LoginAttempt& attempt,
                                         int64_t now) {
  // Nothing is decided that the audit cannot record (common/audit/audit_log.h).
  RETURN_IF_ERROR(audit_.Writable());
  AuditEntry audit{"", "user.login", attempt.source, "", ""};
  absl::StatusOr<Session> session = Decide(attempt, now, audit);
  audit.result = Result(session.status());
  audit_.Append(audit);
  metrics::Login(
      session.ok() ? "ok" : absl::StatusCodeToString(session.status().code()));
  return session;
}

absl::StatusOr<Session> LoginGate::Decide(const LoginAttempt& attempt,
                                          int64_t now, AuditEntry& audit) {
  audit.actor =
      MaskTypedName(attempt.username);  // until it is known to be an account
  if (ThrottleWait wait = throttle_.Wait(attempt.source, attempt.username, now);
      wait.seconds > 0) {
    const bool name = wait.scope == ThrottleScope::kName;
    audit.detail = absl::StrCat("rule: ", name ? "name" : "source",
                                " throttled, ", wait.seconds, " s to wait");
    return absl::ResourceExhaustedError(
        absl::StrCat(name ? "此用户名在您的地址登录失败次数过多"
                          : "您的地址登录失败次数过多",
                     "：请 ", wait.seconds, " 秒后再试"));
  }
  ASSIGN_OR_RETURN(LoginRecord account,
                   accounts_.ReadForLogin(attempt.username, attempt.source));
  // The same work whatever the case: one password hash, outside any
  // connection.
  const bool right = hashing_.Run([&] {
    return crypto::VerifyPassword(attempt.password, account.found
                                                        ? account.password_hash
                                                        : kNoAccountHash);
  });
  const absl::Status refused = absl::UnauthenticatedError(kLoginRefused);
  if (!account.found) {
    throttle_.RecordFailure(attempt.source, attempt.username, now);
    audit.detail = "rule: no such user";
    return refused;
  }
  audit.actor = attempt.username;
  if (account.locked_until_unix > now) {
    throttle_.RecordFailure(attempt.source, attempt.username, now);
    audit.detail = absl::StrCat("rule: account locked for this address for ",
                                (account.locked_until_unix - now + 59) / 60,
                                " more minutes");
    return refused;
  }
  if (!right) {
    const int in_window =
        throttle_.RecordFailure(attempt.source, attempt.username, now);
    ASSIGN_OR_RETURN(
        int64_t failures,
        accounts_.RecordFailure(account.user_id, attempt.source, now,
                                policy_.max_failures, policy_.lockout_seconds));
    audit.detail = absl::StrCat(
        "rule: wrong password, ", failures, " of ", policy_.max_failures,
        " from this address",
        failures >= policy_.max_failures ? "; account locked for this address"
                                         : "",
        "; ", in_window, " failures from this address in the window");
    return refused;
  }
  if (account.disabled) {
    audit.detail = "rule: account disabled";
    return absl::PermissionDeniedError("账号已停用：请联系本单位的系统管理员");
  }
  return accounts_.OpenSession(account.user_id, attempt.source, now);
}

}  // namespace ntmis
