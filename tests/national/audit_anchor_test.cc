// The audit log's anchor (common/audit/audit_anchor.h): cutting entries off the
// end, rewriting entries with every later hash recomputed, putting back an
// older copy of the database, editing or deleting the anchor — each found by
// Verify; two writers on one database are not mistaken for an attack; ID-card
// numbers never reach an entry in clear.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/base/config.h"
#include "common/sql/sqlite.h"
#include "common/teacher/id_card.h"
#include "tests/support/test_support.h"

namespace ntmis {
namespace {

namespace fs = std::filesystem;
using testing::RecomputeAuditChain;
using testing::TamperAudit;
using testing::TempDir;
using testing::ValueOrDie;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string NewAuditDb(const TempDir& dir) {
  const std::string path = dir.File("audit.db");
  sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
  NTMIS_ASSERT_OK(sql::Migrate(db, {AuditLog::kSchema}));
  return path;
}

void AppendSome(const std::string& path, int n, const std::string& tag = "x") {
  auto log = ValueOrDie(AuditLog::Open(path));
  for (int i = 0; i < n; ++i)
    log->Append({"clerk", "teacher.update", absl::StrCat(tag, i), "ok", ""});
  NTMIS_ASSERT_OK(log->Flush());
}  // the log's end writes the anchor

// What Verify says of the database at `path`, in a fresh process's log.
absl::StatusOr<uint64_t> VerifyFresh(const std::string& path) {
  auto log = ValueOrDie(AuditLog::Open(path));
  return log->Verify();
}

TEST_CASE("An intact audit log verifies against its anchor", "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  AppendSome(path, 30);
  CHECK(ValueOrDie(VerifyFresh(path)) == 30);
  CHECK(fs::exists(path + ".audit-anchor"));
  CHECK((fs::status(path + ".audit-key").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(path + ".audit-anchor").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("Entries cut off the end of the audit log are found", "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  AppendSome(path, 30);
  TamperAudit(path, "DELETE FROM audit WHERE id > 20");
  absl::StatusOr<uint64_t> verified = VerifyFresh(path);
  REQUIRE(absl::IsDataLoss(verified.status()));
  CHECK_THAT(std::string(verified.status().message()),
             Catch::Contains("cut short") &&
                 Catch::Contains("holds 30 entries") &&
                 Catch::Contains("the database has 20"));
  // The finding is itself in the log, for the audit search.
  sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
  CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM audit WHERE action = "
                               "'audit.anchor' AND result = 'DATA_LOSS'")) >=
        1);
}

TEST_CASE("An entry rewritten with every later hash recomputed is found",
          "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  AppendSome(path, 30);
  // What an attacker who knows the chain's rule does: change entry 7, then
  // recompute every hash from there on so the chain itself is consistent.
  TamperAudit(path,
              "UPDATE audit SET target = 'nothing happened' WHERE id = 7");
  RecomputeAuditChain(path);
  absl::StatusOr<uint64_t> verified = VerifyFresh(path);
  REQUIRE(absl::IsDataLoss(verified.status()));
  CHECK_THAT(std::string(verified.status().message()),
             Catch::Contains("rewritten") && Catch::Contains("entry 30"));
}

TEST_CASE("An older copy of the database put back is found", "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  AppendSome(path, 10);
  {
    sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
    NTMIS_ASSERT_OK(
        db.Exec(absl::StrCat("VACUUM INTO '", dir.File("old.db"), "'")));
  }
  AppendSome(path, 15, "later");
  fs::remove(path + "-wal");
  fs::remove(path + "-shm");
  fs::copy_file(dir.File("old.db"), path, fs::copy_options::overwrite_existing);
  absl::StatusOr<uint64_t> verified = VerifyFresh(path);
  REQUIRE(absl::IsDataLoss(verified.status()));
  CHECK_THAT(std::string(verified.status().message()),
             Catch::Contains("holds 25 entries") &&
                 Catch::Contains("the database has 10"));
}

TEST_CASE("Entries cut while the node runs are found by the running log",
          "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  auto log = ValueOrDie(AuditLog::Open(path));
  for (int i = 0; i < 20; ++i) log->Append({"a", "b", "c", "ok", ""});
  CHECK(ValueOrDie(log->Verify()) == 20);
  TamperAudit(path, "DELETE FROM audit WHERE id > 12");
  absl::StatusOr<uint64_t> verified = log->Verify();
  REQUIRE(absl::IsDataLoss(verified.status()));
  CHECK_THAT(std::string(verified.status().message()),
             Catch::Contains("cut short"));
  // The next write notices too, and the finding stays for later Verify calls.
  log->Append({"a", "b", "c", "ok", ""});
  NTMIS_ASSERT_OK(log->Flush());
  CHECK(absl::IsDataLoss(log->Verify().status()));
}

TEST_CASE("An edited or deleted anchor is found", "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  AppendSome(path, 5);
  SECTION("edited") {
    std::string text = ValueOrDie(ReadFile(path + ".audit-anchor"));
    text.replace(text.find("count 5"), 7, "count 3");
    WriteFile(path + ".audit-anchor", text);
    absl::StatusOr<uint64_t> verified = VerifyFresh(path);
    REQUIRE(absl::IsDataLoss(verified.status()));
    CHECK_THAT(std::string(verified.status().message()),
               Catch::Contains("does not match its key"));
  }
  SECTION("deleted") {
    fs::remove(path + ".audit-anchor");
    absl::StatusOr<uint64_t> verified = VerifyFresh(path);
    REQUIRE(absl::IsDataLoss(verified.status()));
    CHECK_THAT(std::string(verified.status().message()),
               Catch::Contains("missing"));
  }
}

TEST_CASE("Two writers on one audit log are not taken for an attack",
          "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  auto server = ValueOrDie(AuditLog::Open(path));
  auto cli = ValueOrDie(AuditLog::Open(path));  // as a CLI beside the server
  std::vector<std::thread> writers;
  std::atomic<int> failures{
      0};  // Catch2's checks are for the test's own thread
  for (AuditLog* log : {server.get(), cli.get()}) {
    writers.emplace_back([log, &failures] {
      for (int i = 0; i < 300; ++i) {
        log->Append({"a", "b", absl::StrCat(i), "ok", ""});
        if (!log->Writable().ok()) ++failures;
        if (i % 50 == 0 && !log->Flush().ok()) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  CHECK(failures == 0);
  NTMIS_ASSERT_OK(cli->Flush());
  CHECK(ValueOrDie(server->Verify()) == 600);
  CHECK(ValueOrDie(cli->Verify()) == 600);
  cli.reset();
  server.reset();
  CHECK(ValueOrDie(VerifyFresh(path)) == 600);
}

TEST_CASE("ID-card numbers never reach an audit entry in clear", "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  {
    auto log = ValueOrDie(AuditLog::Open(path));
    log->Append(
        {"operator", "query.teachers", "id_card=44010119900101123X",
         "INVALID_ARGUMENT",
         "bad --where value 44010119900101123x; old number 440101900101123"});
  }
  std::string db = ValueOrDie(ReadFile(path));
  if (fs::exists(path + "-wal")) db += ValueOrDie(ReadFile(path + "-wal"));
  CHECK(db.find("44010119900101123") == std::string::npos);
  CHECK(db.find("440101900101123") == std::string::npos);
  CHECK(db.find("440************23X") != std::string::npos);
  // A teacher number (12 digits) and a 64-digit hash stay as they are.
  CHECK(MaskIdCardsIn("teacher 440000000017, batch 1234567890123456789") ==
        "teacher 440000000017, batch 1234567890123456789");
}

}  // namespace
}  // namespace ntmis
