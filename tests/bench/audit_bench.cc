// The audit trail at a province's volume (common/audit/audit_log.h): how many
// entries a second the writer stores from many threads, and how long
// verification takes at N entries — the whole chain, from the last verified
// mark after more entries came, and the archives with the database.
//
//   ntmis_audit_bench [--entries N] [--threads T]   (default 10,000,000, 8)
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/sql/sqlite.h"
#include "tests/support/test_support.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ntmis;
  using testing::ValueOrDie;
  uint64_t entries = 10000000;
  int threads = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--entries") entries = std::stoull(argv[i + 1]);
    if (flag == "--threads") threads = std::stoi(argv[i + 1]);
  }
  testing::TempDir dir;
  const std::string path = dir.File("province.db");
  {
    sql::Database db = ValueOrDie(sql::Database::Open(path, {}));
    if (!sql::Migrate(db, {AuditLog::kSchema}).ok()) return 1;
  }
  auto log = ValueOrDie(AuditLog::Open(path));

  // Entries shaped like a province's: a user, an action, a teacher number.
  auto start = std::chrono::steady_clock::now();
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t i = next++; i < entries; i = next++) {
        log->Append({absl::StrCat("clerk", i % 5000),
                     i % 3 ? "teacher.read" : "teacher.edit",
                     absl::StrCat(440100000000 + i % 1000000), "ok",
                     i % 3 ? "" : "fields: mobile, address"});
      }
    });
  }
  for (std::thread& w : writers) w.join();
  if (!log->Flush(absl::Hours(1)).ok()) return 1;
  const double write_s = Seconds(start);
  std::cout << "append " << entries << " entries from " << threads
            << " threads: " << write_s << " s, "
            << static_cast<uint64_t>(entries / write_s) << " entries/s\n";

  AuditVerifyOptions full;
  full.full = true;
  start = std::chrono::steady_clock::now();
  AuditVerifyReport report = ValueOrDie(log->Verify(full));
  const double full_s = Seconds(start);
  std::cout << "verify --full, " << report.walked << " entries: " << full_s
            << " s, " << static_cast<uint64_t>(report.walked / full_s)
            << " entries/s\n";

  for (int i = 0; i < 10000; ++i)
    log->Append({"clerk1", "teacher.edit", "x", "ok", ""});
  start = std::chrono::steady_clock::now();
  report = ValueOrDie(log->Verify(AuditVerifyOptions()));
  std::cout << "verify after 10,000 more (from the verified mark), chain of "
            << report.entries << ": walked " << report.walked << " in "
            << Seconds(start) * 1000 << " ms\n";

  start = std::chrono::steady_clock::now();
  AuditArchiveReport archived =
      ValueOrDie(log->Archive(dir.File("archive"), std::time(nullptr) + 10));
  std::cout << "archive " << archived.entries << " entries into "
            << archived.files.size() << " files: " << Seconds(start) << " s\n";
  AuditVerifyOptions with_archive;
  with_archive.archive_dir = dir.File("archive");
  start = std::chrono::steady_clock::now();
  report = ValueOrDie(log->Verify(with_archive));
  std::cout << "verify --archive, " << report.walked
            << " entries: " << Seconds(start) << " s\n";
  start = std::chrono::steady_clock::now();
  report = ValueOrDie(log->Verify(AuditVerifyOptions()));
  std::cout << "verify after archiving (the database holds "
            << report.entries - report.archived
            << "): " << Seconds(start) * 1000 << " ms\n";
  return 0;
}
