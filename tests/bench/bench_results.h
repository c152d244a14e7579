// The benchmarks' baseline and results file. The file has one tab-separated
// line per step, appended, with the step's time and its ratio to the baseline
// measured in the same run (sqlite3's `.import` of the same rows), so that runs
// on a shared, noisy machine compare by ratio and a slower bulk path shows in
// the file (issue 30; the table of changes is in docs/benchmarks.md).
//
//   date  revision  bench  teachers  step  seconds  rows/s  x baseline time
//
// The revision is $NTMIS_BENCH_REV (tests/bench/run.sh sets it from git).
#ifndef NTMIS_TESTS_BENCH_BENCH_RESULTS_H_
#define NTMIS_TESTS_BENCH_BENCH_RESULTS_H_

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ntmis::testing {

// The baseline: seconds sqlite3's own `.import` takes to load `csv` into an
// unindexed table of a new file `db` (WAL off, defaults), the cheapest way
// SQLite itself gets these rows in.
inline double SqliteImportSeconds(const std::string& db,
                                  const std::string& csv) {
  const std::string command =
      absl::StrCat("sqlite3 ", db, " '.mode csv' '.import ", csv, " teachers'");
  const auto t0 = std::chrono::steady_clock::now();
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("sqlite3 .import failed (is sqlite3 installed?)");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

class BenchResults {
 public:
  BenchResults(const std::string& path, std::string bench, uint64_t rows)
      : out_(path, std::ios::app), bench_(std::move(bench)), rows_(rows) {
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", std::gmtime(&now));
    date_ = date;
    const char* rev = std::getenv("NTMIS_BENCH_REV");
    rev_ = rev != nullptr ? rev : "unknown";
  }

  // A step that handled this run's rows in `seconds`, against the
  // baseline's `baseline_seconds`.
  void Add(const std::string& step, double seconds, double baseline_seconds) {
    Line(step, seconds, rows_ / seconds, seconds / baseline_seconds);
  }
  // A step reported by a ratio of its own (a share, a rate ratio, MiB).
  void Line(const std::string& step, double seconds, double per_second,
            double ratio) {
    out_ << absl::StrFormat("%s\t%s\t%s\t%d\t%s\t%.3f\t%.0f\t%.3f\n", date_,
                            rev_, bench_, rows_, step, seconds, per_second,
                            ratio);
  }

 private:
  std::ofstream out_;
  std::string bench_;
  uint64_t rows_;
  std::string date_;
  std::string rev_;
};

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_BENCH_BENCH_RESULTS_H_
