// Logging in under abuse (provincial/core/logins.h), in the node's core with a
// real database: lockout per account and source, the same answer for every
// refusal, source throttling, masked audit actors, unlock by the
// administrator.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "provincial/core/logins.h"
#include "provincial/core/units.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

constexpr char kPassword[] = "Chosen-Passw0rd";

struct LoginNode {
  explicit LoginNode(ntmis::LoginPolicy policy = {}) {
    const std::string path = dir.File("p.db");
    {
      provincial::Store store = ValueOrDie(provincial::Store::Open(path, true));
      NTMIS_ASSERT_OK(store.SetProvince("44"));
      NTMIS_ASSERT_OK(provincial::EnsureProvinceUnit(store, "44"));
      provincial::Accounts accounts(store);
      admin = ValueOrDie(accounts.Create(
          "admin", "44", provincial::Role::kSysAdmin, kPassword, false));
      ValueOrDie(accounts.Create("clerk", "44", provincial::Role::kManager,
                                 kPassword, false));
    }
    provincial::IdKeys keys{crypto::RandomBytes(32), crypto::RandomBytes(32)};
    audit = ValueOrDie(AuditLog::Open(path));
    pool = ValueOrDie(
        provincial::StorePool::Open(path, 2, keys, nullptr, &hashing));
    logins =
        std::make_unique<provincial::Logins>(*pool, *audit, hashing, policy);
  }
  absl::Status Try(const std::string& user, const std::string& password,
                   const std::string& source, int64_t now) {
    return logins->Login({user, password, source}, now).status();
  }
  int64_t Audited(const std::string& where) {
    NTMIS_ASSERT_OK(audit->Flush());
    provincial::StorePool::Lease lane = pool->Acquire();
    return ValueOrDie(lane->store.db().QueryInt(
        absl::StrCat("SELECT COUNT(*) FROM audit WHERE ", where)));
  }

  TempDir dir;
  provincial::User admin;
  ConcurrencyLimit hashing{1};
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<provincial::StorePool> pool;
  std::unique_ptr<provincial::Logins> logins;
};

constexpr int64_t kT0 = 1'800'000'000;

TEST_CASE(
    "Five wrong passwords lock an account only for the address they came from",
    "[login]") {
  LoginNode node;
  for (int i = 0; i < 5; ++i)
    CHECK(absl::IsUnauthenticated(
        node.Try("clerk", "Wrong-pass1", "10.0.0.66", kT0)));
  // Locked for the attacker's address, with the answer of a wrong password...
  absl::Status locked = node.Try("clerk", kPassword, "10.0.0.66", kT0 + 60);
  CHECK(absl::IsUnauthenticated(locked));
  CHECK(std::string(locked.message()) == ntmis::kLoginRefused);
  // ...while the clerk logs in from the school's own address.
  NTMIS_ASSERT_OK(node.Try("clerk", kPassword, "10.0.0.7", kT0 + 60));
  // The lock ends after 15 minutes.
  CHECK(absl::IsUnauthenticated(
      node.Try("clerk", kPassword, "10.0.0.66", kT0 + 14 * 60)));
  NTMIS_ASSERT_OK(node.Try("clerk", kPassword, "10.0.0.66", kT0 + 15 * 60 + 1));

  // An administrator's unlock ends every lock of the account at once.
  for (int i = 0; i < 5; ++i)
    (void)node.Try("clerk", "Wrong-pass1", "10.0.0.66", kT0 + 2000);
  {
    provincial::StorePool::Lease lane = node.pool->Acquire();
    CHECK(ValueOrDie(lane->accounts.Find("clerk")).locked_until_unix >
          kT0 + 2000);
    CHECK(ValueOrDie(lane->accounts.Unlock(node.admin, "clerk"))
              .locked_until_unix == 0);
  }
  NTMIS_ASSERT_OK(node.Try("clerk", kPassword, "10.0.0.66", kT0 + 2001));

  // Every refusal is audited with the rule that refused it.
  CHECK(node.Audited("actor = 'clerk' AND detail LIKE 'rule: wrong password, 5 "
                     "of 5%locked%'") == 2);
  CHECK(node.Audited("actor = 'clerk' AND detail LIKE 'rule: account locked "
                     "for this address%'") == 2);
  CHECK(node.Audited(
            "actor = 'clerk' AND action = 'user.login' AND result = 'ok'") ==
        3);
}

TEST_CASE(
    "Unknown user wrong password and locked account answer alike in similar "
    "time",
    "[login]") {
  // The same name is tried again and again here; the per-name delay (its
  // own test below) would answer first.
  ntmis::LoginPolicy policy;
  policy.throttle.pair_free_failures = 1000;
  LoginNode node(policy);
  for (int i = 0; i < 5; ++i)
    (void)node.Try("admin", "Wrong-pass1", "10.0.0.5", kT0);
  auto timed = [&](const std::string& user, const std::string& password,
                   int64_t now) {
    std::vector<double> ms;
    std::string message;
    for (int i = 0; i < 5; ++i) {
      auto start = std::chrono::steady_clock::now();
      absl::Status s = node.Try(user, password, "10.0.0.5", now);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count());
      CHECK(absl::IsUnauthenticated(s));
      message = std::string(s.message());
    }
    std::sort(ms.begin(), ms.end());
    return std::make_pair(message, ms[2]);
  };
  // Each does one password hash; none is a fast path that tells it apart.
  // A busy machine (tests run in parallel) can slow one sample set, so a
  // round that misses is tried again later, up to eight rounds (a browser
  // test beside it loads both cores for seconds at a time).
  bool alike = false;
  for (int round = 0; round < 8 && !alike; ++round) {
    const int64_t now = kT0 + 1 + 60 * round;  // the address's delay has passed
    auto [unknown, unknown_ms] = timed("nobody", kPassword, now);
    auto [wrong, wrong_ms] = timed("clerk", "Wrong-pass1", now);
    auto [locked, locked_ms] = timed("admin", kPassword, now);
    CHECK(unknown == wrong);
    CHECK(locked == wrong);
    CHECK(wrong == ntmis::kLoginRefused);
    INFO("median ms: unknown " << unknown_ms << ", wrong " << wrong_ms
                               << ", locked " << locked_ms);
    alike = unknown_ms > 0.5 * wrong_ms && locked_ms > 0.5 * wrong_ms &&
            wrong_ms > 0.5 * std::min(unknown_ms, locked_ms);
  }
  CHECK(alike);
}

TEST_CASE(
    "A source that keeps failing is slowed before any password is checked",
    "[login]") {
  ntmis::LoginPolicy policy;
  policy.throttle.free_failures = 5;
  LoginNode node(policy);
  int64_t now = kT0;
  for (int i = 0; i < 5; ++i)
    CHECK(absl::IsUnauthenticated(
        node.Try(absl::StrCat("guess", i), "x", "10.6.6.6", now)));
  // The sixth failure makes it wait 1 s, the next 2 s, then 4 s.
  CHECK(absl::IsUnauthenticated(node.Try("guess5", "x", "10.6.6.6", now)));
  absl::Status wait = node.Try("clerk", kPassword, "10.6.6.6", now);
  CHECK(absl::IsResourceExhausted(wait));
  CHECK_THAT(std::string(wait.message()), Catch::Contains("请 1 秒后再试"));
  now += 1;
  CHECK(absl::IsUnauthenticated(node.Try("guess6", "x", "10.6.6.6", now)));
  CHECK_THAT(
      std::string(node.Try("clerk", kPassword, "10.6.6.6", now + 1).message()),
      Catch::Contains("请 1 秒后再试"));
  // Other sources are not affected, and no account was locked.
  NTMIS_ASSERT_OK(node.Try("clerk", kPassword, "10.0.0.7", now));
  CHECK(node.Audited("detail LIKE 'rule: source throttled%'") == 2);
  CHECK(node.Audited("detail LIKE '%account locked%'") == 0);
}

TEST_CASE(
    "What was typed as a user name is audited masked unless it is an account",
    "[login]") {
  LoginNode node;
  CHECK(absl::IsUnauthenticated(
      node.Try("Secret-Passw0rd", "clerk", "10.0.0.9", kT0)));
  CHECK(absl::IsUnauthenticated(node.Try("张三丰", "x", "10.0.0.9", kT0)));
  CHECK(node.Audited(
            "instr(actor, 'Secret') > 0 OR instr(detail, 'Secret') > 0") == 0);
  CHECK(node.Audited(
            "actor = 'S**************' AND detail = 'rule: no such user'") ==
        1);
  CHECK(node.Audited("actor = '张**' AND detail = 'rule: no such user'") == 1);
  CHECK(ntmis::MaskTypedName("") == "(empty)");
  CHECK(ntmis::PeerAddress("ipv4:127.0.0.1:54321") == "127.0.0.1");
  CHECK(ntmis::PeerAddress("ipv6:[::1]:54321") == "::1");
}

// One address (a school's NAT): a client floods wrong passwords for one name
// as fast as it can while five colleagues log in, each honouring every wait
// the node states. Returns how many of the flood's attempts had a password
// checked, and each colleague's seconds from first try to success (-1:
// not within 30 s).
struct FloodOutcome {
  int64_t checked = 0;
  std::vector<int64_t> took;
};

FloodOutcome Flood(ntmis::LoginPolicy policy) {
  LoginNode node(policy);
  {
    provincial::StorePool::Lease lane = node.pool->Acquire();
    provincial::Accounts accounts(lane->store);
    for (int i = 1; i <= 5; ++i)
      ValueOrDie(accounts.Create(
          absl::StrCat("colleague", i), "44",
          i == 1 ? provincial::Role::kManager : provincial::Role::kQuerier,
          kPassword, false));
  }
  const std::string nat = "203.0.113.7";
  FloodOutcome outcome;
  // 60 simulated seconds, 20 flood attempts each; colleague i starts at 10 i s.
  std::vector<int64_t> next_try(6, 0), started(6, 0);
  outcome.took.assign(5, -1);
  for (int64_t t = 0; t < 90; ++t) {
    const int64_t now = kT0 + t;
    if (t < 60) {
      for (int k = 0; k < 20; ++k)
        (void)node.Try("admin", absl::StrCat("guess-", t, "-", k), nat, now);
    }
    for (int i = 1; i <= 5; ++i) {
      if (outcome.took[i - 1] >= 0 || t < 10 * i || now < next_try[i]) continue;
      if (started[i] == 0) started[i] = now;
      absl::Status s =
          node.Try(absl::StrCat("colleague", i), kPassword, nat, now);
      if (s.ok()) {
        outcome.took[i - 1] = now - started[i];
      } else if (absl::IsResourceExhausted(s)) {
        const std::string m(s.message());
        const std::string mark = "请 ";
        const size_t in = m.find(mark);
        next_try[i] = now + std::stoll(m.substr(in + mark.size()));
      }
    }
  }
  outcome.checked = node.Audited(
      "action = 'user.login' AND actor = 'admin' AND detail NOT LIKE "
      "'%throttled%'");
  return outcome;
}

TEST_CASE(
    "A flood of wrong passwords from a shared address does not lock its other "
    "users out",
    "[login]") {
  // Today's rule before this one: one delay per address after 20 failures.
  ntmis::LoginPolicy before;
  before.throttle.pair_free_failures = 1 << 30;
  before.throttle.free_failures = 20;
  const FloodOutcome old = Flood(before);
  INFO("per address only: " << old.checked << " checked");
  // Nobody got in within 5 s while the flood went on.
  CHECK(std::count_if(old.took.begin(), old.took.end(),
                      [](int64_t t) { return t >= 0 && t <= 5; }) == 0);

  const FloodOutcome now = Flood({});
  for (int i = 0; i < 5; ++i) {
    INFO("colleague " << i + 1);
    CHECK(now.took[i] >= 0);
    CHECK(now.took[i] <= 5);
  }
  // The guesser tests no more passwords than before: fewer, in fact.
  INFO("per name: " << now.checked << " checked");
  CHECK(now.checked <= old.checked);
  CHECK(now.checked > 0);
}

TEST_CASE(
    "Colleagues behind a flooding address log in at once with concurrent "
    "clients",
    "[login]") {
  LoginNode node;
  {
    provincial::StorePool::Lease lane = node.pool->Acquire();
    provincial::Accounts accounts(lane->store);
    for (int i = 1; i <= 5; ++i)
      ValueOrDie(accounts.Create(absl::StrCat("colleague", i), "44",
                                 provincial::Role::kQuerier, kPassword, false));
  }
  const std::string nat = "198.51.100.4";
  std::atomic<bool> stop{false};
  std::atomic<int> flood_attempts{0};
  std::thread flood([&] {
    const auto flood_start = std::chrono::steady_clock::now();
    for (int k = 0; !stop && std::chrono::steady_clock::now() - flood_start <
                                 std::chrono::seconds(20);
         ++k) {
      (void)node.Try("nobody-here", absl::StrCat("guess", k), nat,
                     std::time(nullptr));
      ++flood_attempts;
    }
  });
  // The colleagues arrive once the flood is in full swing (on a loaded
  // machine its first guesses, each a password hash, take a while).
  const auto flood_wait = std::chrono::steady_clock::now();
  while (flood_attempts <= 100 &&
         std::chrono::steady_clock::now() - flood_wait <
             std::chrono::seconds(15))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::vector<double> took(5, -1);
  std::vector<std::thread> colleagues;
  for (int i = 0; i < 5; ++i) {
    colleagues.emplace_back([&, i] {
      const auto start = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - start <
             std::chrono::seconds(10)) {
        absl::Status s = node.Try(absl::StrCat("colleague", i + 1), kPassword,
                                  nat, std::time(nullptr));
        if (s.ok()) {
          took[i] = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }
  for (std::thread& c : colleagues) c.join();
  stop = true;
  flood.join();
  INFO("flood attempts " << flood_attempts);
  CHECK(flood_attempts > 100);
  for (int i = 0; i < 5; ++i) {
    INFO("colleague " << i + 1);
    CHECK(took[i] >= 0);
    CHECK(took[i] < 5);
  }
  // The flood's name was checked at most its free failures (5) and a few
  // doublings, fewer than the per-address rule allowed before (20 and the
  // same doublings): the rest were refused before any hash.
  CHECK(node.Audited("actor LIKE 'n%' AND detail NOT LIKE '%throttled%'") <=
        10);
}

}  // namespace
}  // namespace ntmis::testing
