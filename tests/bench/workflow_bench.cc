// The provincial node's working queries at a province's size, through the
// node's core (provincial/core/workflow.h) on a real province store:
//   - a unit's teachers, a page of 50 at a time, at every level (first and
//     later pages), and the review queues of schools and counties:
//     p50 / p95 / max over random units (the target is p95 <= 50 ms);
//   - a category template import of one row per teacher, against the teacher
//     import of the same run (the target is at least half its rate).
//
//   ntmis_workflow_bench [--teachers N] [--queries Q]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "provincial/core/workflow.h"
#include "provincial/import/category_import.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

using Clock = std::chrono::steady_clock;

void Check(const absl::Status& status) {
  if (!status.ok()) {
    std::cerr << status << "\n";
    std::exit(1);
  }
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<std::string> Column(provincial::Store& store,
                                const std::string& sql) {
  auto q = ValueOrDie(store.db().Prepare(sql));
  std::vector<std::string> out;
  while (ValueOrDie(q.Step())) out.push_back(q.ColumnText(0));
  return out;
}

struct Timing {
  std::vector<double> ms;
  void Report(const std::string& what) {
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
    };
    std::cout << absl::StrFormat(
        "  %-44s p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms  (%d)\n", what,
        at(0.5), at(0.95), ms.back(), static_cast<int>(ms.size()));
  }
};

int Main(int argc, char** argv) {
  uint64_t n = 1000000;
  int queries = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--teachers") n = std::stoull(argv[i + 1]);
    if (flag == "--queries") queries = std::stoi(argv[i + 1]);
  }
  TempDir dir;
  provincial::Store store =
      ProvinceWithUnits(dir.File("province.db"), 44, n, 1);
  std::cout << "province 44, " << n << " teachers\n";

  // The teacher import: the baseline rate.
  std::string csv = SyntheticTeachers(44, n, 1);
  auto t0 = Clock::now();
  v1::ImportReport teachers = ImportTeachers(store, csv, false);
  const double teacher_s = Seconds(t0);
  csv.clear();
  csv.shrink_to_fit();
  std::cout << absl::StrFormat(
      "teacher import (baseline): %d rows in %.1f s, %.0f rows/s\n",
      static_cast<int>(teachers.rows_applied()), teacher_s,
      teachers.rows_applied() / teacher_s);

  // Review queues: 2% submitted, 2% school-approved, waiting since
  // different times.
  Check(
      store.db().Exec("UPDATE teachers SET state = CASE "
                      "CAST(substr(teacher_number, 3, 9) AS INTEGER) % 50 "
                      "WHEN 7 THEN 'submitted' ELSE 'school_approved' END, "
                      "updated_unix = updated_unix - "
                      "abs(random() % 1000000) WHERE "
                      "CAST(substr(teacher_number, 3, 9) AS INTEGER) % 50 "
                      "IN (7, 13)"));
  Check(store.db().Exec("ANALYZE"));

  auto workflow =
      ValueOrDie(provincial::Workflow::Create(store, TestKeys(), nullptr));
  std::mt19937_64 rng(7);
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[rng() % v.size()];
  };
  const auto schools = Column(store, "SELECT code FROM units WHERE level = 4");
  const auto counties = Column(store, "SELECT code FROM units WHERE level = 3");
  const auto cities = Column(store, "SELECT code FROM units WHERE level = 2");
  std::cout << schools.size() << " schools, " << counties.size()
            << " counties, " << cities.size() << " cities\n";
  auto manager = [](const std::string& unit) {
    provincial::User u;
    u.username = "bench";
    u.unit_code = unit;
    u.role = provincial::Role::kManager;
    return u;
  };

  std::cout << "listing and queues (" << queries << " random units each):\n";
  auto list = [&](const std::vector<std::string>& units, int pages,
                  const std::string& what) {
    Timing timing;
    for (int q = 0; q < queries; ++q) {
      std::string unit = pick(units);
      v1::ListTeachersRequest request;
      request.set_unit_code(unit);
      request.set_page_size(50);
      for (int page = 0; page < pages; ++page) {
        auto start = Clock::now();
        v1::ListTeachersResponse response =
            ValueOrDie(workflow->List(manager(unit), request));
        if (page == pages - 1) timing.ms.push_back(Seconds(start) * 1000);
        if (response.next_page_token().empty()) break;
        request.set_page_token(response.next_page_token());
      }
    }
    timing.Report(what);
  };
  list(schools, 1, "school's teachers, first page");
  list(counties, 1, "county's teachers, first page");
  list(counties, 5, "county's teachers, 5th page");
  list(cities, 1, "city's teachers, first page");
  list(cities, 20, "city's teachers, 20th page");
  list({"44"}, 1, "province's teachers, first page");
  list({"44"}, 100, "province's teachers, 100th page");
  // A search by name: whole names and two characters of a name, at the
  // province and in a county (issue 29: a province-wide search must not
  // read every record).
  const auto names =
      Column(store, absl::StrCat("SELECT teacher_name(record) FROM teachers "
                                 "ORDER BY random() LIMIT ",
                                 queries));
  auto search = [&](const std::vector<std::string>& units, bool part,
                    const std::string& what) {
    Timing timing;
    size_t found = 0;
    for (int q = 0; q < queries; ++q) {
      std::string unit = pick(units);
      v1::ListTeachersRequest request;
      request.set_unit_code(unit);
      request.set_page_size(50);
      const std::string& name = names[q % names.size()];
      // Chinese characters are 3 bytes in UTF-8: the last two of a name.
      request.set_search(part && name.size() > 6 ? name.substr(name.size() - 6)
                                                 : name);
      auto start = Clock::now();
      v1::ListTeachersResponse response =
          ValueOrDie(workflow->List(manager(unit), request));
      timing.ms.push_back(Seconds(start) * 1000);
      found += response.teachers_size();
    }
    timing.Report(absl::StrCat(what, " (", found / queries, " found)"));
  };
  // The console's pages: by number, sorted by a column, with the total.
  auto numbered = [&](const std::vector<std::string>& units,
                      v1::ListTeachersRequest::Order order, int page,
                      const std::string& what) {
    Timing timing;
    for (int q = 0; q < queries; ++q) {
      std::string unit = pick(units);
      v1::ListTeachersRequest request;
      request.set_unit_code(unit);
      request.set_page_size(50);
      request.set_page(page);
      request.set_order(order);
      request.set_descending(q % 2 == 1);
      auto start = Clock::now();
      ValueOrDie(workflow->List(manager(unit), request));
      timing.ms.push_back(Seconds(start) * 1000);
    }
    timing.Report(what);
  };
  using Order = v1::ListTeachersRequest;
  numbered(counties, Order::ORDER_NAME, 1, "county: page 1 by name, total");
  numbered(cities, Order::ORDER_UPDATED, 1, "city: page 1 by update, total");
  numbered({"44"}, Order::ORDER_SCHOOL, 1, "province: page 1, total");
  numbered({"44"}, Order::ORDER_NAME, 1, "province: page 1 by name, total");
  numbered({"44"}, Order::ORDER_NAME, 100, "province: page 100 by name, total");
  numbered({"44"}, Order::ORDER_UPDATED, 1,
           "province: page 1 by update, total");
  numbered({"44"}, Order::ORDER_STATE, 1, "province: page 1 by state, total");
  search({"44"}, false, "province: search by whole name");
  search({"44"}, true, "province: search by part of a name");
  search(counties, false, "county: search by whole name");
  auto queue = [&](const std::vector<std::string>& units,
                   const std::string& what) {
    Timing timing;
    size_t items = 0;
    for (int q = 0; q < queries; ++q) {
      std::string unit = pick(units);
      auto start = Clock::now();
      v1::ReviewQueueResponse response =
          ValueOrDie(workflow->Queue(manager(unit), v1::ReviewQueueRequest()));
      timing.ms.push_back(Seconds(start) * 1000);
      items += response.items_size();
    }
    timing.Report(absl::StrCat(what, " (", items / queries, " items a page)"));
  };
  queue(schools, "school review queue");
  queue(counties, "county review queue");

  // A category template, one row per teacher, through the same import driver.
  const auto numbers = Column(
      store, "SELECT teacher_number FROM teachers ORDER BY teacher_number");
  std::string entries =
      "teacher_number,entry_no,programme,organiser,start_date,end_date,hours,"
      "credits,mode\n";
  for (const std::string& number : numbers)
    absl::StrAppend(
        &entries, number,
        ",,国培计划（2024）,广东省教育厅,2024-07-01,2024-07-10,60,3,1\n");
  provincial::User province = manager("44");
  auto handler = ValueOrDie(provincial::CategoryRowHandler::Create(
      store, province, "domestic_training"));
  provincial::CsvImport import(store, *handler, {});
  t0 = Clock::now();
  for (size_t i = 0; i < entries.size(); i += 1 << 16)
    Check(import.Feed(absl::string_view(entries).substr(i, 1 << 16)));
  v1::ImportReport report = ValueOrDie(import.Finish());
  const double entry_s = Seconds(t0);
  std::cout << absl::StrFormat(
      "category import (domestic_training): %d rows in %.1f s, %.0f rows/s = "
      "%.2f x the teacher "
      "import's rate (target >= 0.50)\n",
      static_cast<int>(report.rows_applied()), entry_s,
      report.rows_applied() / entry_s,
      (report.rows_applied() / entry_s) /
          (teachers.rows_applied() / teacher_s));
  return report.problems_total() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) { return ntmis::testing::Main(argc, argv); }
