// A verifiable audit trail at a province's volume (common/audit/audit_log.h,
// common/audit/audit_archive.h): verification walks only what came since the
// last one unless the table's schema changed (the way to edit it), the
// whole chain on request; old entries move to archive files that keep the
// chain verifiable, and a file edited, removed or forged is named.
#include "common/audit/audit_archive.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/base/config.h"
#include "common/sql/sqlite.h"
#include "common/sql/sqlite_backup.h"
#include "tests/support/test_support.h"

namespace ntmis {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::ValueOrDie;

std::string NewAuditDb(const TempDir& dir) {
  const std::string path = dir.File("audit.db");
  sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
  NTMIS_ASSERT_OK(sql::Migrate(db, {AuditLog::kSchema}));
  return path;
}

void Append(AuditLog& log, int n, const std::string& tag) {
  for (int i = 0; i < n; ++i)
    log.Append({"clerk", "teacher.edit", absl::StrCat(tag, i), "ok", ""});
  NTMIS_ASSERT_OK(log.Flush());
}

// What an attacker with the database does: lift the guard, edit, put it back.
void EditUnderTheGuard(const std::string& path, const std::string& sql) {
  sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
  NTMIS_ASSERT_OK(db.Exec("DROP TRIGGER audit_no_update"));
  NTMIS_ASSERT_OK(db.Exec(sql));
  NTMIS_ASSERT_OK(
      db.Exec("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
              "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"));
}

TEST_CASE(
    "Verification walks only what came since the last one and everything on "
    "request",
    "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  auto log = ValueOrDie(AuditLog::Open(path));
  Append(*log, 1000, "a");
  AuditVerifyReport first = ValueOrDie(log->Verify(AuditVerifyOptions()));
  CHECK(first.entries == 1000);
  CHECK(first.walked == 1000);
  CHECK_FALSE(first.incremental);
  Append(*log, 10, "b");
  AuditVerifyReport second = ValueOrDie(log->Verify(AuditVerifyOptions()));
  CHECK(second.entries == 1010);
  CHECK(second.walked == 10);
  CHECK(second.incremental);
  // Another process (the CLI) starts where this one ended.
  CHECK(
      ValueOrDie(ValueOrDie(AuditLog::Open(path))->Verify(AuditVerifyOptions()))
          .walked == 0);
  AuditVerifyOptions full;
  full.full = true;
  uint64_t reported = 0;
  full.progress = [&reported](uint64_t done, uint64_t) { reported = done; };
  AuditVerifyReport all = ValueOrDie(log->Verify(full));
  CHECK(all.walked == 1010);
  CHECK(reported == 1010);

  // An entry edited under a lifted guard: the schema changed, so the next
  // verification walks everything and finds it.
  EditUnderTheGuard(
      path, "UPDATE audit SET target = 'nothing happened' WHERE id = 5");
  absl::StatusOr<AuditVerifyReport> after = log->Verify(AuditVerifyOptions());
  REQUIRE(absl::IsDataLoss(after.status()));
  CHECK_THAT(std::string(after.status().message()), Catch::Contains("entry 5"));
}

TEST_CASE("Old entries move to archives that keep the chain verifiable",
          "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  const std::string archives = dir.File("archive");
  auto log = ValueOrDie(AuditLog::Open(path));
  Append(*log, 300, "old");
  const int64_t later =
      std::time(nullptr) + 10;  // every entry so far is "older"
  AuditArchiveReport moved = ValueOrDie(log->Archive(archives, later));
  CHECK(moved.entries == 299);  // the newest stays in the database
  REQUIRE(moved.files.size() == 1);
  Append(*log, 200, "mid");
  moved = ValueOrDie(log->Archive(archives, later + 10));
  CHECK(moved.entries == 200);
  Append(*log, 50, "new");
  {
    sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
    CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM audit")) == 51);
    CHECK(ValueOrDie(db.QueryInt("SELECT MIN(id) FROM audit")) == 500);
  }
  // Private to the node's account.
  CHECK((fs::status(archives).permissions() &
         (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  for (const AuditArchiveFile& f : ValueOrDie(ListAuditArchives(archives))) {
    CHECK((fs::status(f.path).permissions() &
           (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  }

  // The database alone, from the archived base; and with the archives, the
  // whole chain from entry 1. A fresh process sees the same.
  CHECK(ValueOrDie(log->Verify()) == 550);
  AuditVerifyOptions with_archives;
  with_archives.archive_dir = archives;
  AuditVerifyReport whole = ValueOrDie(log->Verify(with_archives));
  CHECK(whole.entries == 550);
  CHECK(whole.archived == 499);
  CHECK(whole.walked == 550);
  log.reset();
  log = ValueOrDie(AuditLog::Open(path));
  CHECK(ValueOrDie(log->Verify(with_archives)).walked == 550);
  Append(*log, 5, "more");  // numbering goes on after the archived entries
  CHECK(ValueOrDie(log->Verify(with_archives)).entries == 555);

  std::vector<AuditArchiveFile> files = ValueOrDie(ListAuditArchives(archives));
  REQUIRE(files.size() == 2);
  CHECK(files[0].first == 1);
  CHECK(files[0].last == 299);
  CHECK(files[1].first == 300);
  CHECK(files[1].last == 499);

  SECTION("an archive edited") {
    std::string text = ValueOrDie(ReadFile(files[0].path));
    text.replace(text.find("old17"), 5, "old71");
    std::ofstream(files[0].path, std::ios::trunc) << text;
    absl::StatusOr<AuditVerifyReport> broken = log->Verify(with_archives);
    REQUIRE(absl::IsDataLoss(broken.status()));
    CHECK_THAT(std::string(broken.status().message()),
               Catch::Contains(files[0].path) && Catch::Contains("key"));
  }
  SECTION("an archive removed from the middle of the retention period") {
    fs::remove(files[0].path);
    absl::StatusOr<AuditVerifyReport> broken = log->Verify(with_archives);
    REQUIRE(absl::IsDataLoss(broken.status()));
    CHECK_THAT(
        std::string(broken.status().message()),
        Catch::Contains("entries 1 to 299") && Catch::Contains("180-day"));
  }
  SECTION("the newest archive removed") {
    fs::remove(files[1].path);
    absl::StatusOr<AuditVerifyReport> broken = log->Verify(with_archives);
    REQUIRE(absl::IsDataLoss(broken.status()));
    CHECK_THAT(std::string(broken.status().message()),
               Catch::Contains("entry 499"));
  }
  SECTION("entries deleted from the database after the archived base") {
    testing::TamperAudit(path, "DELETE FROM audit WHERE id < 510");
    absl::StatusOr<AuditVerifyReport> broken =
        log->Verify(AuditVerifyOptions());
    REQUIRE(absl::IsDataLoss(broken.status()));
    CHECK_THAT(std::string(broken.status().message()),
               Catch::Contains("entry 500 is missing"));
  }
}

TEST_CASE(
    "A backup whose chain ends before the archived entries is not restored "
    "over them",
    "[audit]") {
  TempDir dir;
  const std::string path = NewAuditDb(dir);
  auto log = ValueOrDie(AuditLog::Open(path));
  Append(*log, 100, "a");
  NTMIS_ASSERT_OK(CheckAuditRestorable(path, path));  // nothing archived yet
  NTMIS_ASSERT_OK(sql::CopyDatabase(path, dir.File("old.db")));
  Append(*log, 200, "b");
  ValueOrDie(log->Archive(dir.File("archive"), std::time(nullptr) + 10));
  NTMIS_ASSERT_OK(sql::CopyDatabase(path, dir.File("new.db")));
  absl::Status old = CheckAuditRestorable(dir.File("old.db"), path);
  CHECK(absl::IsFailedPrecondition(old));
  CHECK_THAT(
      std::string(old.message()),
      Catch::Contains("entry 100") && Catch::Contains("entries up to 299"));
  NTMIS_ASSERT_OK(CheckAuditRestorable(dir.File("new.db"), path));
}

}  // namespace
}  // namespace ntmis
