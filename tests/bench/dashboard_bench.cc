// Benchmark: national dashboard queries against a plain GROUP BY.
// Over a directory built by ntmis_national_bench_db:
//   1. a few random dashboard queries (up to 3 dimensions, 0–2 filters)
//      answered both by the national node's aggregator and by a GROUP BY
//      over baseline.db's rows (the same teachers); answers must be equal,
//      and the GROUP BY's mean time is the baseline of this run;
//   2. a dashboard of P random panels (up to 3 dimensions, 0–2 filtered
//      dimensions each), asked in turn with random filter values and
//      reference years through the aggregator while another thread ingests
//      batches into one province: the first query of each panel (which
//      builds its views), then p50, p99 and max of the rest, and the p99 as
//      a share of the baseline.
//
//   ntmis_dashboard_bench DIR [--queries N] [--baseline-queries M] [--panels P]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/sql/sqlite.h"
#include "common/teacher/code_tables.h"
#include "national/ingest/national_store.h"
#include "national/query/aggregator.h"
#include "national/query/report_format.h"
#include "national/rollup/age_bands.h"
#include "national/rollup/dimensions.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

using national::Dimension;
using Kind = Dimension::Kind;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since)
      .count();
}

// Codes a filter on `d` may name: code tables' values, or the cities and
// counties that exist (read once through the aggregator).
std::map<std::string, std::vector<std::string>> FilterValues(
    national::NationalStore& store, const Date& today) {
  std::map<std::string, std::vector<std::string>> values;
  for (const auto& d : national::Dimensions()) {
    if (d.kind == Kind::kAgeBand) {
      for (int b = 0; b < national::kAgeBands; ++b)
        values[d.name].push_back(national::AgeBandCode(b));
    } else if (d.table != nullptr) {
      for (int v : d.table->values())
        values[d.name].push_back(d.table->Code(v));
    } else {
      v1::AggregateRequest r;
      r.add_group_by(d.name);
      auto units = ValueOrDie(national::Aggregate(store, r, today));
      for (const auto& row : national::AnswerRows(units))
        values[d.name].push_back(row.codes[0]);
    }
  }
  return values;
}

// A dashboard panel: up to three dimensions to group by and up to two to
// filter on; each query of it picks filter values and a reference year.
struct Panel {
  std::vector<std::string> group_by, filter_on;
};

Panel RandomPanel(std::mt19937_64& rng) {
  std::vector<std::string> names;
  for (const auto& d : national::Dimensions()) names.push_back(d.name);
  std::shuffle(names.begin(), names.end(), rng);
  size_t dims = 1 + rng() % 3, filters = rng() % 3;
  return {{names.begin(), names.begin() + dims},
          {names.begin() + dims, names.begin() + dims + filters}};
}

v1::AggregateRequest RandomQuery(
    const Panel& panel, std::mt19937_64& rng,
    const std::map<std::string, std::vector<std::string>>& values) {
  v1::AggregateRequest r;
  for (const auto& name : panel.group_by) r.add_group_by(name);
  for (const auto& name : panel.filter_on) {
    const auto& allowed = values.at(name);
    v1::Filter* f = r.add_where();
    f->set_dimension(name);
    for (int k = 0; k < 1 + static_cast<int>(rng() % 2); ++k)
      f->add_values(allowed[rng() % allowed.size()]);
  }
  r.set_age_reference(absl::StrCat(2020 + rng() % 7));
  return r;
}

// The same question as a GROUP BY over baseline.db's rows: grouped by the
// stored values (and the province, which city and county codes need), then
// mapped to codes as the aggregator prints them.
std::map<std::vector<std::string>, uint64_t> Baseline(
    sql::Database& db, const v1::AggregateRequest& r) {
  const int year =
      ValueOrDie(national::ReferenceYear(r.age_reference(), Today()));
  auto column = [](const Dimension& d) { return d.name; };
  std::vector<std::string> clauses;
  for (const v1::Filter& f : r.where()) {
    const Dimension& d = *ValueOrDie(national::FindDimension(f.dimension()));
    std::vector<std::string> alternatives;
    for (const std::string& text : f.values()) {
      int64_t value = ValueOrDie(national::ParseDimensionValue(d, text));
      if (d.kind == Kind::kUnit) {
        alternatives.push_back(absl::StrCat("(province = ", text.substr(0, 2),
                                            " AND ", column(d), " = ", value,
                                            ")"));
      } else if (d.kind == Kind::kAgeBand) {
        for (int64_t cohort = 0; cohort <= d.mask(); ++cohort)
          if (national::AgeBandOf(cohort, year) == value)
            alternatives.push_back(absl::StrCat(column(d), " = ", cohort));
      } else {
        alternatives.push_back(absl::StrCat(column(d), " = ", value));
      }
    }
    clauses.push_back(
        absl::StrCat("(", absl::StrJoin(alternatives, " OR "), ")"));
  }
  std::vector<std::string> columns = {"province"};
  for (const std::string& name : r.group_by())
    if (name != "province") columns.push_back(name);
  std::string sql = absl::StrCat("SELECT ", absl::StrJoin(columns, ", "),
                                 ", COUNT(*) FROM teachers");
  if (!clauses.empty())
    absl::StrAppend(&sql, " WHERE ", absl::StrJoin(clauses, " AND "));
  absl::StrAppend(&sql, " GROUP BY ", absl::StrJoin(columns, ", "));
  auto s = ValueOrDie(db.Prepare(sql));
  std::map<std::vector<std::string>, uint64_t> out;
  while (ValueOrDie(s.Step())) {
    const std::string province =
        CodeTable::Of<v1::Province>().Code(s.ColumnInt(0));
    std::vector<std::string> codes;
    int k = 1;
    for (const std::string& name : r.group_by()) {
      const Dimension& d = *ValueOrDie(national::FindDimension(name));
      int64_t value = name == "province" ? s.ColumnInt(0) : s.ColumnInt(k++);
      if (d.kind == Kind::kAgeBand) value = national::AgeBandOf(value, year);
      codes.push_back(national::DimensionCode(d, value, province));
    }
    out[codes] += s.ColumnInt(static_cast<int>(columns.size()));
  }
  return out;
}

std::map<std::vector<std::string>, uint64_t> Rows(
    const v1::AggregateResponse& response) {
  std::map<std::vector<std::string>, uint64_t> out;
  for (const auto& row : national::AnswerRows(response))
    out[row.codes] = row.teachers;
  return out;
}

std::string Describe(const v1::AggregateRequest& r) {
  std::string out = absl::StrCat("by ", absl::StrJoin(r.group_by(), ","));
  for (const auto& f : r.where())
    absl::StrAppend(&out, " where ", f.dimension(), "=",
                    absl::StrJoin(f.values(), ","));
  return out;
}

int Run(const std::string& dir, int queries, int baseline_queries, int panels) {
  const Date today = Today();
  auto t_open = Clock::now();
  auto store = ValueOrDie(national::NationalStore::Open(dir));
  uint64_t teachers = 0;
  for (const std::string& code : store->KnownProvinces())
    teachers +=
        ValueOrDie(ValueOrDie(store->Province(code, false))->State()).records;
  std::cout << "national data: " << teachers << " teachers in "
            << store->KnownProvinces().size()
            << " provinces; opened (rollups loaded) in "
            << absl::StrFormat("%.0f", Ms(t_open)) << " ms; anonymous memory "
            << StatusMiB(getpid(), "RssAnon:") << " MiB\n";
  auto baseline = ValueOrDie(sql::Database::Open(dir + "/baseline.db"));
  auto values = FilterValues(*store, today);
  std::mt19937_64 rng(20261123);

  // 1. Baseline, and agreement.
  double baseline_ms = 0;
  for (int i = 0; i < baseline_queries; ++i) {
    v1::AggregateRequest r = RandomQuery(RandomPanel(rng), rng, values);
    auto t = Clock::now();
    auto expected = Baseline(baseline, r);
    double ms = Ms(t);
    baseline_ms += ms;
    auto got = Rows(ValueOrDie(national::Aggregate(*store, r, today)));
    std::cout << absl::StrFormat(
        "  GROUP BY %8.0f ms  %s: %s\n", ms, Describe(r),
        got == expected ? "same answer" : "DIFFERENT ANSWER");
    if (got != expected) return 1;
  }
  baseline_ms /= std::max(1, baseline_queries);

  // 2. Dashboard queries while one province ingests.
  // The ingest changes the title of records of province 44
  // in one batch and restores them in the next, so the data ends as built
  // and baseline.db stays true for the next run.
  std::vector<v1::TeacherRecord> originals;
  {
    auto db = ValueOrDie(sql::Database::Open(dir + "/province-44.db"));
    auto s = ValueOrDie(db.Prepare("SELECT record FROM teachers LIMIT 20000"));
    while (ValueOrDie(s.Step())) {
      originals.emplace_back();
      originals.back().ParseFromString(std::string(s.ColumnBlob(0)));
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> ingested{0};
  national::ProvinceDb* busy = ValueOrDie(store->Province("44", false));
  std::thread ingest([&] {
    uint64_t seq = ValueOrDie(busy->State()).applied_seq;
    for (size_t from = 0; !stop; from = (from + 2000) % originals.size()) {
      for (bool restore : {false, true}) {
        v1::PushBatch batch;
        for (size_t i = from; i < std::min(originals.size(), from + 2000);
             ++i) {
          v1::Change* c = batch.add_changes();
          c->set_seq(++seq);
          c->set_teacher_number(originals[i].teacher_number());
          v1::TeacherRecord* r = c->mutable_record();
          *r = originals[i];
          if (!restore) {
            r->set_title(r->title() == v1::TITLE_LEVEL_SENIOR_DEPUTY
                             ? v1::TITLE_LEVEL_INTERMEDIATE
                             : v1::TITLE_LEVEL_SENIOR_DEPUTY);
          }
        }
        ValueOrDie(busy->Apply(batch, 2000));
        ingested += batch.changes_size();
      }
    }
  });
  // A dashboard of `panels` panels, each asked in turn with new values; the
  // first query of a panel builds its views (see
  // national/rollup/rollup_cube.h).
  std::vector<Panel> dashboard;
  for (int i = 0; i < panels; ++i) dashboard.push_back(RandomPanel(rng));
  std::vector<double> first, later,
      small;  // small: answers of at most 1,000 rows
  auto t_run = Clock::now();
  for (int i = 0; i < queries; ++i) {
    const size_t p = i % dashboard.size();
    v1::AggregateRequest r = RandomQuery(dashboard[p], rng, values);
    auto t = Clock::now();
    auto answer = ValueOrDie(national::Aggregate(*store, r, today));
    double ms = Ms(t);
    (i < static_cast<int>(dashboard.size()) ? first : later).push_back(ms);
    if (i >= static_cast<int>(dashboard.size()) &&
        answer.teachers_size() <= 1000)
      small.push_back(ms);
    if (getenv("NTMIS_BENCH_SLOW") && ms > 10)
      std::cout << absl::StrFormat("  slow %.1f ms, %d rows: %s\n", ms,
                                   answer.teachers_size(), Describe(r));
  }
  double run_s = Ms(t_run) / 1000;
  stop = true;
  ingest.join();
  std::sort(first.begin(), first.end());
  std::sort(later.begin(), later.end());
  std::sort(small.begin(), small.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v.empty()
               ? 0.0
               : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  std::cout << absl::StrFormat(
      "dashboard of %d panels: %d queries in %.1f s while ingesting %.0f "
      "records/s into "
      "province 44\n"
      "  first query of a panel: p50 %.1f ms, max %.1f ms\n"
      "  later queries:          p50 %.2f ms, p99 %.2f ms, max %.2f ms\n"
      "    answers of <= 1,000 rows (%zu): p50 %.2f ms, p99 %.2f ms\n"
      "  plain GROUP BY over the same rows: mean %.0f ms (%d queries)\n"
      "  p99 / GROUP BY mean = %.5f (%.0fx faster)\n"
      "  anonymous memory at the end (rollups, views, ingest): %ld MiB\n",
      panels, queries, run_s, ingested.load() / run_s, pct(first, 0.5),
      first.empty() ? 0.0 : first.back(), pct(later, 0.5), pct(later, 0.99),
      later.empty() ? 0.0 : later.back(), small.size(), pct(small, 0.5),
      pct(small, 0.99), baseline_ms, baseline_queries,
      pct(later, 0.99) / baseline_ms, baseline_ms / pct(later, 0.99),
      StatusMiB(getpid(), "RssAnon:"));
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::cerr << "usage: ntmis_dashboard_bench DIR [--queries N] "
                 "[--baseline-queries M] [--panels P]\n";
    return 2;
  }
  int queries = 5000, baseline_queries = 5, panels = 24;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--queries") == 0)
      queries = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--baseline-queries") == 0)
      baseline_queries = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--panels") == 0) panels = std::atoi(argv[i + 1]);
  }
  return ntmis::testing::Run(argv[1], queries, baseline_queries, panels);
}
