// The synthetic data generator: deterministic, valid, plausible.
#include <catch2/catch.hpp>

#include "absl/container/flat_hash_map.h"
#include "common/tables/csv.h"
#include "common/teacher/id_card.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

std::vector<std::vector<std::string>> Rows(const std::string& csv) {
  CsvReader reader;
  reader.Feed(csv);
  reader.Finish();
  std::vector<std::vector<std::string>> rows;
  CsvRecord r;
  while (reader.Next(&r) == CsvReader::Result::kRecord)
    rows.push_back(r.fields);
  return rows;
}

TEST_CASE("Same province and count and seed give the same bytes",
          "[generator]") {
  CHECK(SyntheticTeachers(44, 300, 7) == SyntheticTeachers(44, 300, 7));
  CHECK(SyntheticTeachers(44, 300, 7) != SyntheticTeachers(44, 300, 8));
  provincial::SyntheticProvince a(44, 300, 7), b(44, 300, 7);
  CHECK(a.UnitsCsv() == b.UnitsCsv());
}

TEST_CASE("Every generated row passes the importer's rules", "[generator]") {
  TempDir dir;
  for (int province : {11, 44, 54, 65, 66}) {
    INFO("province " << province);
    provincial::Store store = ProvinceWithUnits(
        dir.File(std::to_string(province) + ".db"), province, 2000, 3);
    v1::ImportReport report = ImportTeachers(
        store, SyntheticTeachers(province, 2000, 3), /*dry_run=*/true);
    CHECK(report.rows_read() == 2000);
    CHECK(report.rows_valid() == 2000);
    if (report.problems_size() > 0) FAIL(report.problems(0).ShortDebugString());
  }
}

TEST_CASE("Generated distributions are plausible", "[generator]") {
  provincial::SyntheticProvince gen(65, 5000, 1);
  absl::flat_hash_map<std::string, int> category_of_school;
  for (const auto& u : gen.units())
    if (u.level == provincial::UnitLevel::kSchool)
      category_of_school[u.code] = u.school_category;
  auto rows = Rows(SyntheticTeachers(65, 5000, 1));
  REQUIRE(rows.size() == 5001);
  int kg = 0, kg_female = 0, uyghur = 0, senior = 0, born_here = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    auto id = ParseIdCard(r[3]);
    REQUIRE(id.ok());
    CHECK(id->birth_date.ToString() == r[2]);
    CHECK(static_cast<int>(id->gender) == std::stoi(r[1]));
    if (r[3].substr(0, 2) == "65") ++born_here;
    if (category_of_school[r[10]] == v1::SCHOOL_CATEGORY_KINDERGARTEN) {
      ++kg;
      kg_female += r[1] == "2";
    }
    uyghur += r[4] == "05";
    senior += r[14] == "1" || r[14] == "2";
  }
  CHECK(kg > 500);
  CHECK(kg_female > 0.9 * kg);
  CHECK(uyghur > 0.3 * 5000);
  CHECK(uyghur < 0.6 * 5000);
  CHECK(senior > 0.15 * 5000);
  CHECK(senior < 0.5 * 5000);
  CHECK(born_here > 0.75 * 5000);
}

}  // namespace
}  // namespace ntmis::testing
