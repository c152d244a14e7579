// Benchmark: sync cost at any backlog, with the national node as its own
// process (ntmis-national serve) so its peak memory can be read.
//   1. full sync of one province of N teachers (the baseline of this run);
//   2. incremental sync after 1% of them changed: its time as a share of 1.;
//   3. 32 provinces of N/32 teachers syncing at once: their total ingest
//      rate against the single-province rate of 1.;
// and the national node's peak RSS during 1.+2. and during 3.
//
//   ntmis_sync_bench --national PATH/ntmis-national [--teachers N] [--provinces
//   P] [--results FILE]
// (--provinces 0 skips the concurrent run.) --results appends the steps'
// figures to FILE (tests/bench/bench_results.h), the full sync against
// sqlite3's `.import` of the province's CSV timed in the same run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "provincial/core/teachers.h"
#include "provincial/tools/generator.h"
#include "tests/bench/bench_results.h"
#include "tests/support/teacher_changes.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

constexpr const char* kCodes[] = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33",
    "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
    "51", "52", "53", "54", "61", "62", "63", "64", "65", "66"};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// Samples a process's anonymous memory (heap, stacks: what it allocates,
// without the file pages SQLite maps) every 20 ms and keeps the peak;
// VmHWM, the kernel's peak, also counts mapped file pages.
class AnonPeak {
 public:
  explicit AnonPeak(int pid)
      : pid_(pid), thread_([this] {
          while (!stop_) {
            peak_ = std::max(peak_.load(), StatusMiB(pid_, "RssAnon:"));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~AnonPeak() { Stop(); }
  long Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return peak_;
  }

 private:
  const int pid_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_{0};
  std::thread thread_;
};

// Imports the province's teachers; returns the CSV's path.
std::string Load(Federation& f, const std::string& code, uint64_t teachers) {
  f.AddProvince(code);
  provincial::SyntheticProvince gen(std::stoi(code), teachers, 2026);
  const std::string csv = f.dir().File(absl::StrCat("teachers-", code, ".csv"));
  {
    std::ofstream out(csv, std::ios::binary);
    gen.WriteTeachersCsv([&out](const std::string& chunk) { out << chunk; });
  }
  auto admin = f.Admin(code);
  ValueOrDie(admin->ImportData(provincial::ImportTarget::kUnits, gen.UnitsCsv(),
                               false));
  auto report = ValueOrDie(
      admin->ImportFile(provincial::ImportTarget::kTeachers, csv, false));
  if (report.rows_applied() != teachers)
    throw std::runtime_error("import incomplete");
  return csv;
}

// Changes the title of every 100th teacher (1%), each as its own effective
// change.
uint64_t ChangeOnePercent(Federation& f, const std::string& code) {
  provincial::Store store =
      ValueOrDie(provincial::Store::Open(f.province(code).database()));
  auto s = ValueOrDie(store.db().Prepare(
      "SELECT record FROM teachers ORDER BY teacher_number"));
  std::vector<v1::TeacherRecord> picked;
  uint64_t i = 0;
  while (ValueOrDie(s.Step())) {
    if (i++ % 100 != 0) continue;
    v1::TeacherRecord r;
    r.ParseFromString(std::string(s.ColumnBlob(0)));
    r.set_title(r.title() == v1::TITLE_LEVEL_INTERMEDIATE
                    ? v1::TITLE_LEVEL_SENIOR_DEPUTY
                    : v1::TITLE_LEVEL_INTERMEDIATE);
    picked.push_back(std::move(r));
  }
  s.Reset();
  for (const auto& r : picked) {
    absl::Status st = ChangeEffectiveRecord(store, r);
    if (!st.ok()) throw std::runtime_error(st.ToString());
  }
  return picked.size();
}

int Run(const std::string& national, uint64_t teachers, int provinces,
        const std::string& results) {
  std::cout << "teachers: " << teachers << "; " << provinces
            << " provinces for the concurrent run\n";
  double baseline, full, incremental, concurrent = 0;
  uint64_t concurrent_teachers = 0;
  uint64_t changed;
  long rss_single, rss_concurrent = 0, anon_single, anon_concurrent = 0;
  {
    Federation f(national);
    AnonPeak anon(f.national_pid());
    baseline = SqliteImportSeconds(f.dir().File("baseline.db"),
                                   Load(f, "44", teachers));
    auto t0 = std::chrono::steady_clock::now();
    auto sync = ValueOrDie(f.Sync("44"));
    full = Seconds(t0);
    if (sync.applied != teachers)
      throw std::runtime_error("full sync incomplete");
    changed = ChangeOnePercent(f, "44");
    std::cerr << "sync_bench: changed " << changed << ", syncing them"
              << std::endl;
    if (const char* pause =
            std::getenv("NTMIS_BENCH_PAUSE_MS"))  // to attach a profiler
      std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(pause)));
    t0 = std::chrono::steady_clock::now();
    sync = ValueOrDie(f.Sync("44"));
    incremental = Seconds(t0);
    if (sync.applied != changed)
      throw std::runtime_error("incremental sync incomplete");
    // What every sync pays whatever it sends: the hello, provisional
    // teachers, identity conflicts and reference data.
    t0 = std::chrono::steady_clock::now();
    sync = ValueOrDie(f.Sync("44"));
    std::cout << "empty sync (nothing to send): " << Seconds(t0) * 1000
              << " ms\n";
    rss_single = StatusMiB(f.national_pid(), "VmHWM:");
    anon_single = anon.Stop();
  }
  if (provinces > 0) {
    Federation f(national);
    AnonPeak anon(f.national_pid());
    const uint64_t each = teachers / provinces;
    for (int p = 0; p < provinces; ++p) Load(f, kCodes[p], each);
    std::vector<std::thread> threads;
    std::vector<uint64_t> applied(provinces);
    auto t0 = std::chrono::steady_clock::now();
    for (int p = 0; p < provinces; ++p) {
      threads.emplace_back(
          [&, p] { applied[p] = ValueOrDie(f.Sync(kCodes[p])).applied; });
    }
    for (auto& t : threads) t.join();
    concurrent = Seconds(t0);
    for (uint64_t a : applied)
      if (a != each) throw std::runtime_error("concurrent sync incomplete");
    rss_concurrent = StatusMiB(f.national_pid(), "VmHWM:");
    anon_concurrent = anon.Stop();
    concurrent_teachers = each * provinces;
  }
  const double single_rate = teachers / full;
  std::cout << absl::StrFormat(
      "%-44s %9s %12s %10s\n"
      "%-44s %9.2f %12.0f %10s\n"
      "%-44s %9.2f %12.0f %10s\n"
      "%-44s %9.3f %12.0f %9.2f%%\n",
      "step", "seconds", "changes/s", "ratio",
      "sqlite3 .import of the same CSV", baseline, teachers / baseline,
      absl::StrFormat("%.2fx", full / baseline),
      "full sync, 1 province (baseline)", full, single_rate, "1.00",
      absl::StrCat("incremental sync after 1% changed (", changed, ")"),
      incremental, changed / incremental, 100.0 * incremental / full);
  std::cout << "national node peak anonymous memory: " << anon_single
            << " MiB (1 province); "
            << "peak RSS with mapped file pages: " << rss_single << " MiB\n";
  if (provinces > 0) {
    const double rate = concurrent_teachers / concurrent;
    std::cout << absl::StrFormat(
        "%-44s %9.2f %12.0f %9.2fx\n",
        absl::StrCat(provinces, " provinces syncing at once (total)"),
        concurrent, rate, rate / single_rate);
    std::cout << "national node peak anonymous memory: " << anon_concurrent
              << " MiB (" << provinces
              << " at once); peak RSS with mapped file pages: "
              << rss_concurrent << " MiB\n";
  }
  if (!results.empty()) {
    BenchResults out(results, "sync", teachers);
    out.Add("sqlite3 .import", baseline, baseline);
    out.Add("full sync", full, baseline);
    out.Line("incremental sync after 1% (share of full)", incremental,
             changed / incremental, incremental / full);
    out.Line("national anonymous MiB, 1 province", 0, 0, anon_single);
    if (provinces > 0) {
      out.Line(absl::StrCat(provinces, " provinces at once (rate vs one)"),
               concurrent, concurrent_teachers / concurrent,
               concurrent_teachers / concurrent / single_rate);
      out.Line(
          absl::StrCat("national anonymous MiB, ", provinces, " provinces"), 0,
          0, anon_concurrent);
    }
  }
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  uint64_t teachers = 1000000;
  int provinces = 32;
  std::string national, results;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--teachers")
      teachers = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--provinces") provinces = std::atoi(argv[i + 1]);
    if (flag == "--national") national = argv[i + 1];
    if (flag == "--results") results = argv[i + 1];
  }
  if (national.empty() || provinces < 0 || provinces > 32) {
    std::cerr << "usage: ntmis_sync_bench --national PATH/ntmis-national "
                 "[--teachers N] "
                 "[--provinces 0..32]\n";
    return 2;
  }
  return ntmis::testing::Run(national, teachers, provinces, results);
}
