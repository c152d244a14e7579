// Backup and restore of a provincial node (provincial/server/backup.h): a
// backup taken while users write, restored into the stopped node, which
// starts, verifies its audit chain and agrees with the national node after
// `sync --verify`; every refusal changes nothing.
#include "national/server/backup.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base/config.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/provincial.grpc.pb.h"
#include "provincial/server/backup.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

namespace fs = std::filesystem;
using Stub = v1::ProvincialApi::StubInterface;

int64_t Count(const std::string& db_path, const std::string& sql) {
  sql::OpenOptions read_only;
  read_only.read_only = true;
  sql::Database db = ValueOrDie(sql::Database::Open(db_path, read_only));
  return ValueOrDie(db.QueryInt(sql));
}

TEST_CASE(
    "A province backed up while users write is restored and agrees with the "
    "nation",
    "[backup]") {
  Federation f;
  const v1::ProvincialConfig& config = f.AddProvince("44");
  f.LoadSynthetic("44", 300, 7);
  NTMIS_ASSERT_OK(f.Sync("44").status());

  // Four users withdraw teachers and read while the backup is taken.
  std::vector<std::string> numbers;
  {
    sql::OpenOptions read_only;
    read_only.read_only = true;
    sql::Database db =
        ValueOrDie(sql::Database::Open(config.database(), read_only));
    sql::Statement all =
        ValueOrDie(db.Prepare("SELECT teacher_number FROM teachers ORDER BY "
                              "teacher_number LIMIT 200"));
    while (ValueOrDie(all.Step())) numbers.push_back(all.ColumnText(0));
  }
  REQUIRE(numbers.size() == 200);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, writes{0};
  std::vector<std::thread> users;
  for (int u = 0; u < 4; ++u) {
    users.emplace_back([&, u] {
      auto admin = f.Admin("44");
      for (int i = 0; !stop && i < 50; ++i) {
        v1::WithdrawTeacherRequest withdraw;
        withdraw.set_teacher_number(numbers[u * 50 + i]);
        withdraw.set_reason("离职");
        if (admin->Call(&Stub::WithdrawTeacher, withdraw).ok())
          ++writes;
        else
          ++failures;
        if (!admin->Call(&Stub::ListUsers, v1::ListUsersRequest()).ok())
          ++failures;
      }
    });
  }
  while (writes < 8 && failures == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string backup = f.dir().File("province-44.backup");
  provincial::BackupReport taken =
      ValueOrDie(provincial::BackupNode(config, backup));
  stop = true;
  for (std::thread& t : users) t.join();
  CHECK(failures == 0);
  CHECK(taken.province == "44");
  CHECK(taken.teachers == 300);
  CHECK(taken.audit_entries > 0);
  CHECK(taken.keys_not_included.size() == 5);
  CHECK((fs::status(backup).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  const std::string kWithdrawn =
      "SELECT COUNT(*) FROM teachers WHERE state = 'withdrawn'";
  const int64_t withdrawn_in_backup = Count(backup, kWithdrawn);
  CHECK(withdrawn_in_backup >= 8);
  CHECK(Count(config.database(), kWithdrawn) >= withdrawn_in_backup);

  // After the backup: more work, synced (the national node is now ahead).
  v1::WithdrawTeacherRequest withdraw;
  withdraw.set_teacher_number(numbers.back());
  withdraw.set_reason("离职");
  (void)f.Admin("44")->Call(&Stub::WithdrawTeacher, withdraw);
  NTMIS_ASSERT_OK(f.Sync("44").status());

  SECTION("bad input changes nothing") {
    const std::string before = ValueOrDie(ReadFile(backup));
    absl::StatusOr<provincial::BackupReport> again =
        provincial::BackupNode(config, backup);
    CHECK(absl::IsAlreadyExists(again.status()));
    CHECK_THAT(std::string(again.status().message()),
               Catch::Contains("already exists"));
    CHECK(ValueOrDie(ReadFile(backup)) == before);

    const int64_t teachers =
        Count(config.database(), "SELECT COUNT(*) FROM teachers");
    absl::StatusOr<provincial::RestoreReport> running =
        provincial::RestoreNode(config, backup);
    CHECK(absl::IsFailedPrecondition(running.status()));
    CHECK_THAT(std::string(running.status().message()),
               Catch::Contains("running"));

    f.StopProvince("44");
    std::ofstream(f.dir().File("notes.txt")) << "this is not a backup\n";
    absl::StatusOr<provincial::RestoreReport> text =
        provincial::RestoreNode(config, f.dir().File("notes.txt"));
    CHECK(absl::IsInvalidArgument(text.status()));
    CHECK_THAT(std::string(text.status().message()),
               Catch::Contains("not an SQLite database"));
    CHECK(absl::IsInvalidArgument(
        provincial::RestoreNode(config, f.dir().File("missing.backup"))
            .status()));

    const v1::ProvincialConfig& other = f.AddProvince("11");
    NTMIS_ASSERT_OK(
        provincial::BackupNode(other, f.dir().File("province-11.backup"))
            .status());
    absl::StatusOr<provincial::RestoreReport> foreign =
        provincial::RestoreNode(config, f.dir().File("province-11.backup"));
    CHECK(absl::IsFailedPrecondition(foreign.status()));
    CHECK_THAT(std::string(foreign.status().message()),
               Catch::Contains("province 11") &&
                   Catch::Contains("this node is province 44"));
    CHECK(Count(config.database(), "SELECT COUNT(*) FROM teachers") ==
          teachers);
    CHECK_FALSE(fs::exists(config.database() + ".restoring"));
  }

  SECTION("restored, started, verified and in agreement") {
    f.StopProvince("44");
    provincial::RestoreReport restored =
        ValueOrDie(provincial::RestoreNode(config, backup));
    CHECK(restored.backup.teachers == taken.teachers);
    CHECK(fs::exists(restored.set_aside));
    CHECK(Count(config.database(), kWithdrawn) == withdrawn_in_backup);
    f.StartProvince("44");
    v1::VerifyAuditResponse audit = ValueOrDie(
        f.Admin("44")->Call(&Stub::VerifyAudit, v1::VerifyAuditRequest()));
    CHECK(audit.intact());
    CHECK(Count(config.database(),
                "SELECT COUNT(*) FROM audit WHERE action = 'node.restore'") ==
          1);

    // The national node is ahead of the backup: sync --verify realigns and
    // re-sends, and both sides agree.
    provincial::VerifyReport verified = ValueOrDie(f.Verify("44"));
    CHECK(verified.realigned_from > 0);
    CHECK(verified.agreed);
    // The restored chain is shorter than the one handed over: flagged until
    // the national operator accepts it.
    CHECK_THAT(verified.sync.audit_problem, Catch::Contains("went backwards"));
    NTMIS_ASSERT_OK(f.national().store().audit_anchors().Accept("44"));
    CHECK(ValueOrDie(f.Sync("44")).audit_problem.empty());
  }
}

TEST_CASE("The national node is backed up while it runs and restored",
          "[backup]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 200, 3);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  v1::NationalConfig config;
  config.set_data_dir(f.national_data_dir());
  const std::string backup = f.dir().File("national-backup");

  national::NationalBackupReport taken =
      ValueOrDie(national::BackupNational(config, backup));
  CHECK(taken.files ==
        std::vector<std::string>{"national.db", "province-44.db"});
  CHECK((fs::status(backup).permissions() & fs::perms::all) ==
        fs::perms::owner_all);
  CHECK(
      absl::IsAlreadyExists(national::BackupNational(config, backup).status()));

  // After the backup, the province sends more.
  {
    auto admin = f.Admin("44");
    sql::OpenOptions read_only;
    read_only.read_only = true;
    sql::Database db =
        ValueOrDie(sql::Database::Open(f.province("44").database(), read_only));
    sql::Statement some =
        ValueOrDie(db.Prepare("SELECT teacher_number FROM teachers LIMIT 10"));
    while (ValueOrDie(some.Step())) {
      v1::WithdrawTeacherRequest withdraw;
      withdraw.set_teacher_number(some.ColumnText(0));
      withdraw.set_reason("离职");
      NTMIS_ASSERT_OK(admin->Call(&Stub::WithdrawTeacher, withdraw).status());
    }
  }
  NTMIS_ASSERT_OK(f.Sync("44").status());

  SECTION("bad input changes nothing") {
    fs::create_directories(f.dir().File("empty"));
    absl::StatusOr<national::NationalBackupReport> empty =
        national::RestoreNational(config, f.dir().File("empty"));
    CHECK(absl::IsInvalidArgument(empty.status()));
    CHECK_THAT(std::string(empty.status().message()),
               Catch::Contains("no national.db"));
    absl::StatusOr<national::NationalBackupReport> running =
        national::RestoreNational(config, backup);
    CHECK(absl::IsFailedPrecondition(running.status()));
    CHECK_THAT(std::string(running.status().message()),
               Catch::Contains("running"));
    CHECK(ValueOrDie(f.Verify("44")).agreed);
  }
  SECTION("restored, started and caught up by the province's next sync") {
    f.StopNational();
    national::NationalBackupReport restored =
        ValueOrDie(national::RestoreNational(config, backup));
    CHECK(restored.files.size() == 2);
    CHECK(fs::exists(restored.set_aside + "/national.db"));
    f.StartNational();
    NTMIS_ASSERT_OK(f.national().store().audit().Verify().status());
    provincial::VerifyReport verified = ValueOrDie(f.Verify("44"));
    CHECK(verified.agreed);
    CHECK(
        verified.sync.audit_problem.empty());  // the province's chain only grew
    auto db = ValueOrDie(f.national().store().Province("44", false));
    CHECK(ValueOrDie(db->State()).records == 190);
  }
}

}  // namespace
}  // namespace ntmis::testing
