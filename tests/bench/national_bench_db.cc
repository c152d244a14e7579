// Builds a national data directory for the dashboard benchmark from
// generated data: N teachers spread over the 32 provinces, each province's
// records applied through the national node's own batch path (so rollups,
// digests and the in-memory rollup are exactly what sync would produce),
// plus baseline.db: the same teachers as plain rows of dimension values
// (one column per dimension; age_band as the birth cohort) for the
// GROUP BY the benchmark compares against.
//
//   ntmis_national_bench_db DIR [--teachers N]     (default 20,000,000)
//
// Two provinces are built at a time (one per core); 20,000,000 teachers
// take about ten minutes and 6 GB of disk. DIR/complete is written at the
// end; an interrupted build is started again in an empty DIR.
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "common/teacher/code_tables.h"
#include "national/ingest/national_store.h"
#include "national/rollup/dimensions.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

constexpr size_t kBatch = 5000;

// Columns of baseline.db's teachers table, in Dimensions() order.
std::vector<const national::Dimension*> BaselineDimensions() {
  std::vector<const national::Dimension*> dims;
  for (const auto& d : national::Dimensions()) dims.push_back(&d);
  return dims;
}

int Run(const std::string& dir, uint64_t teachers) {
  auto store = ValueOrDie(national::NationalStore::Open(dir));
  auto baseline = ValueOrDie(sql::Database::Open(dir + "/baseline.db"));
  std::vector<std::string> columns;
  for (const auto* d : BaselineDimensions())
    columns.push_back(d->name + " INTEGER NOT NULL");
  if (!baseline
           .Exec(absl::StrCat("CREATE TABLE IF NOT EXISTS teachers (",
                              absl::StrJoin(columns, ", "), ")"))
           .ok()) {
    return 1;
  }
  absl::Mutex baseline_mu;
  const std::vector<int> codes = CodeTable::Of<v1::Province>().values();
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> done{0};
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (size_t i; (i = next++) < codes.size();) {
      const int code = codes[i];
      const uint64_t count =
          teachers / codes.size() + (i < teachers % codes.size() ? 1 : 0);
      national::ProvinceDb* db = ValueOrDie(
          store->Province(CodeTable::Of<v1::Province>().Code(code), true));
      v1::PushBatch batch;
      std::vector<std::vector<int64_t>> rows;
      uint64_t seq = ValueOrDie(db->State()).applied_seq;
      if (seq != 0) continue;  // built by an earlier run
      auto flush = [&] {
        if (batch.changes_size() == 0) return;
        ValueOrDie(db->Apply(batch, kBatch));
        batch.Clear();
      };
      ForEachSyntheticRecord(code, count, 2026, [&](v1::TeacherRecord& r) {
        v1::Change* c = batch.add_changes();
        c->set_seq(++seq);
        c->set_teacher_number(r.teacher_number());
        *c->mutable_record() = r;
        std::vector<int64_t> row;
        for (const auto* d : BaselineDimensions()) row.push_back(d->value(r));
        rows.push_back(std::move(row));
        if (static_cast<size_t>(batch.changes_size()) == kBatch) flush();
      });
      flush();
      {
        absl::MutexLock lock(&baseline_mu);
        auto txn = ValueOrDie(sql::Transaction::Begin(baseline));
        std::vector<std::string> marks(columns.size(), "?");
        auto insert = ValueOrDie(baseline.Prepare(absl::StrCat(
            "INSERT INTO teachers VALUES (", absl::StrJoin(marks, ","), ")")));
        for (const auto& row : rows) {
          for (size_t k = 0; k < row.size(); ++k)
            insert.Bind(static_cast<int>(k + 1), row[k]);
          if (!insert.Run().ok()) std::abort();
        }
        if (!txn.Commit().ok()) std::abort();
      }
      done += count;
      std::cerr << "province " << code << ": " << count << " teachers ("
                << done.load() << " of " << teachers << ", "
                << static_cast<int>(std::chrono::duration<double>(
                                        std::chrono::steady_clock::now() - t0)
                                        .count())
                << " s)\n";
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  std::ofstream(dir + "/complete")
      << teachers << "\n";  // tests/bench/dashboard.sh checks it
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::cerr << "usage: ntmis_national_bench_db DIR [--teachers N]\n";
    return 2;
  }
  uint64_t teachers = 20000000;
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--teachers") == 0)
      teachers = std::strtoull(argv[i + 1], nullptr, 10);
  return ntmis::testing::Run(argv[1], teachers);
}
