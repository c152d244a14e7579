// Benchmark: importing N teachers through the provincial API and a full sync
// of them to the national node, each against sqlite3's own `.import` of the
// same CSV into an unindexed table, measured in the same run.
//
//   ntmis_import_sync_bench [--teachers N] [--batch CHANGES_PER_SYNC_BATCH]
//                           [--results FILE]
// --results appends each step's figures and its ratio to `.import` to FILE
// (tab-separated; tests/bench/run.sh keeps them in build/bench-results.tsv),
// so that a bulk path that got slower shows in the next run's lines.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "provincial/tools/generator.h"
#include "tests/bench/bench_results.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

long PeakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

int Run(uint64_t teachers, uint32_t batch, const std::string& results) {
  Federation f;
  const std::string csv_path = f.dir().File("teachers.csv");
  provincial::SyntheticProvince gen(44, teachers, 2026);
  {
    std::ofstream out(csv_path, std::ios::binary);
    gen.WriteTeachersCsv([&out](const std::string& chunk) { out << chunk; });
  }
  std::cout << "teachers: " << teachers << "\n";

  const double baseline =
      SqliteImportSeconds(f.dir().File("baseline.db"), csv_path);

  f.AddProvince("44");
  auto admin = f.Admin("44");
  auto units = ValueOrDie(admin->ImportData(provincial::ImportTarget::kUnits,
                                            gen.UnitsCsv(), false));
  auto t0 = std::chrono::steady_clock::now();
  auto report = ValueOrDie(
      admin->ImportFile(provincial::ImportTarget::kTeachers, csv_path, false));
  double import = Seconds(t0);
  if (report.rows_applied() != teachers) {
    std::cerr << "import applied " << report.rows_applied() << " of "
              << teachers << "\n";
    return 1;
  }
  t0 = std::chrono::steady_clock::now();
  provincial::SyncOptions options;
  if (batch > 0) options.batch_size = batch;
  auto sync = ValueOrDie(f.Sync("44", options));
  double sync_s = Seconds(t0);
  if (sync.applied != teachers) {
    std::cerr << "sync applied " << sync.applied << " of " << teachers << "\n";
    return 1;
  }

  std::cout << absl::StrFormat(
      "%-34s %9s %12s %14s\n%-34s %9.2f %12.0f %14s\n%-34s %9.2f %12.0f "
      "%14.2f\n"
      "%-34s %9.2f %12.0f %14.2f\n",
      "step", "seconds", "rows/s", "x .import time",
      "sqlite3 .import (baseline)", baseline, teachers / baseline, "1.00",
      "import through the API", import, teachers / import, import / baseline,
      "full sync to the national node", sync_s, teachers / sync_s,
      sync_s / baseline);
  std::cout << "peak RSS of this process (both nodes in-process): "
            << PeakRssKiB() / 1024 << " MiB\n";
  if (!results.empty()) {
    BenchResults out(results, "import_sync", teachers);
    out.Add("sqlite3 .import", baseline, baseline);
    out.Add("import through the API", import, baseline);
    out.Add("full sync", sync_s, baseline);
  }
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  uint64_t teachers = 1000000;
  uint32_t batch = 0;  // the sync client's default
  std::string results;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--results") results = argv[i + 1];
    if (std::string(argv[i]) == "--teachers")
      teachers = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::string(argv[i]) == "--batch")
      batch = std::strtoul(argv[i + 1], nullptr, 10);
  }
  return ntmis::testing::Run(teachers, batch, results);
}
