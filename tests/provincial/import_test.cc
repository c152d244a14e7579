// Teacher import: every kind of bad row is reported with row, column, value
// and rule; dry runs change nothing; killed imports leave whole batches.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/tables/import_report.h"
#include "common/teacher/id_card.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

int64_t Count(provincial::Store& store, const char* table) {
  return ValueOrDie(
      store.db().QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table)));
}

std::string WithCheck(std::string first17) {
  return first17 + IdCardCheckChar(first17);
}

// Finds the problem for `row` and `column`, or fails.
const v1::ImportProblem& ProblemAt(const v1::ImportReport& report, uint64_t row,
                                   const std::string& column) {
  for (const auto& p : report.problems())
    if (p.row() == row && p.column() == column) return p;
  FAIL("no problem at row " << row << " column '" << column << "' in "
                            << report.ShortDebugString());
  throw std::logic_error("unreachable");
}

TEST_CASE("Bad rows are reported one by one and valid rows still load",
          "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 200, 1);
  std::vector<std::string> lines =
      absl::StrSplit(SyntheticTeachers(44, 5, 1), '\n');
  // lines[0] header; lines[1..5] valid rows (file rows 2..6).
  auto fields = [&](int i) -> std::vector<std::string> {
    return absl::StrSplit(lines[i], ',');
  };
  auto join = [](const std::vector<std::string>& f) {
    return absl::StrJoin(f, ",");
  };
  std::vector<std::string> file = {lines[0], lines[1],
                                   lines[2]};  // rows 2, 3 valid

  auto bad_check = fields(3);
  bad_check[3][17] = bad_check[3][17] == '0' ? '1' : '0';
  if (bad_check[3][17] == IdCardCheckChar(bad_check[3].substr(0, 17)))
    bad_check[3][17] = bad_check[3][17] == '1' ? '2' : '1';
  file.push_back(join(bad_check));  // row 4

  auto bad_birth = fields(4);
  bad_birth[2] = "1970-01-01";
  file.push_back(join(bad_birth));  // row 5

  auto bad_gender = fields(5);
  bad_gender[1] = bad_gender[1] == "1" ? "2" : "1";
  file.push_back(join(bad_gender));  // row 6

  auto unknown = fields(1);
  unknown[3] = WithCheck("44010119800101003");
  unknown[2] = "1980-01-01";
  unknown[1] = "1";
  unknown[4] = "77";
  file.push_back(join(unknown));  // row 7

  file.push_back(lines[1]);  // row 8: duplicate of row 2

  auto missing = fields(2);
  missing[0] = "";
  missing[3] = WithCheck("44010119800101005");
  missing[2] = "1980-01-01";
  missing[1] = "1";
  file.push_back(join(missing));  // row 9

  auto school = fields(2);
  school[10] = "9999999999";
  school[3] = WithCheck("44010119800101017");
  school[2] = "1980-01-01";
  school[1] = "1";
  file.push_back(join(school));  // row 10

  file.push_back(
      "\"broken,1,1980-01-01,x,x");  // row 11: open quote runs to the end
  std::string csv = absl::StrJoin(file, "\n") + "\n";

  SECTION("dry run reports and changes nothing") {
    v1::ImportReport report = ImportTeachers(store, csv, /*dry_run=*/true);
    CHECK(report.rows_valid() == 2);
    CHECK(report.rows_applied() == 0);
    CHECK(Count(store, "teachers") == 0);
    CHECK(Count(store, "outbox") == 0);

    CHECK_THAT(ProblemAt(report, 4, "id_card_number").rule(),
               Catch::Contains("校验位"));
    CHECK(ProblemAt(report, 4, "id_card_number")
              .value()
              .find(bad_check[3].substr(3, 12)) ==
          std::string::npos);  // masked
    CHECK_THAT(ProblemAt(report, 5, "birth_date").rule(),
               Catch::Contains("第 7–14 位"));
    CHECK_THAT(ProblemAt(report, 6, "gender").rule(),
               Catch::Contains("第 17 位"));
    CHECK(ProblemAt(report, 7, "ethnicity").value() == "77");
    CHECK_THAT(ProblemAt(report, 7, "ethnicity").rule(),
               Catch::Contains("01 汉族"));
    CHECK_THAT(ProblemAt(report, 8, "id_card_number").rule(),
               Catch::Contains("本文件第 2 行"));
    CHECK_THAT(ProblemAt(report, 9, "name").rule(), Catch::Contains("必填"));
    CHECK_THAT(ProblemAt(report, 10, "school_code").rule(),
               Catch::Contains("没有这个学校代码"));
    CHECK_THAT(ProblemAt(report, 11, "").rule(), Catch::Contains("引号"));
  }

  SECTION("a real import applies the valid rows, and re-importing finds them") {
    v1::ImportReport report = ImportTeachers(store, csv, /*dry_run=*/false);
    CHECK(report.rows_applied() == 2);
    CHECK(Count(store, "teachers") == 2);
    CHECK(Count(store, "outbox") == 2);
    v1::ImportReport again =
        ImportTeachers(store, lines[0] + "\n" + lines[1] + "\n", false);
    CHECK(again.rows_applied() == 0);
    CHECK_THAT(ProblemAt(again, 2, "id_card_number").rule(),
               Catch::Contains("此人已登记为教师 44"));
    // The ID-card number is never stored in the clear.
    auto id = fields(1)[3];
    CHECK(ValueOrDie(store.db().QueryInt(absl::StrCat(
              "SELECT COUNT(*) FROM teachers WHERE instr(id_sealed, '", id,
              "') OR instr(record, '", id, "')"))) == 0);
  }
}

TEST_CASE(
    "Every problem of a teacher row is reported at once and a dry run reports "
    "what the real run does",
    "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 200, 1);
  std::vector<std::string> lines =
      absl::StrSplit(SyntheticTeachers(44, 3, 1), '\n');
  std::vector<std::string> f = absl::StrSplit(lines[2], ',');
  f[provincial::kName] = "";                  // 1: required
  f[provincial::kEthnicity] = "77";           // 2: not a code
  f[provincial::kNationality] = "ZZZ";        // 3: not ISO 3166-1 alpha-3
  f[provincial::kHireDate] = "2010-13-01";    // 4: not a date
  f[provincial::kSchoolCode] = "9999999999";  // 5: not a school of the tree
  const std::string csv =
      absl::StrCat(lines[0], "\n", lines[1], "\n", absl::StrJoin(f, ","), "\n");
  v1::ImportReport dry = ImportTeachers(store, csv, /*dry_run=*/true);
  v1::ImportReport real = ImportTeachers(store, csv, /*dry_run=*/false);
  for (const v1::ImportReport* report : {&dry, &real}) {
    REQUIRE(report->problems_size() == 5);
    CHECK_THAT(ProblemAt(*report, 3, "name").rule(), Catch::Contains("必填"));
    CHECK_THAT(ProblemAt(*report, 3, "ethnicity").rule(),
               Catch::Contains("可选：01 汉族"));
    CHECK_THAT(ProblemAt(*report, 3, "nationality").rule(),
               Catch::Contains("ISO 3166-1"));
    CHECK(ProblemAt(*report, 3, "hire_date").value() == "2010-13-01");
    CHECK_THAT(ProblemAt(*report, 3, "school_code").rule(),
               Catch::Contains("没有这个学校代码"));
    for (const auto& p : report->problems())
      CHECK_FALSE(p.column_label().empty());
  }
  CHECK(dry.rows_applied() == 0);
  CHECK(real.rows_applied() == 1);
  CHECK(Count(store, "teachers") == 1);
}

TEST_CASE(
    "Leaving statuses are not collected and a bare one-digit status is "
    "refused as ambiguous",
    "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 200, 1);
  std::vector<std::string> lines =
      absl::StrSplit(SyntheticTeachers(44, 5, 1), '\n');
  auto with_status = [&](int line, const std::string& status) {
    std::vector<std::string> f = absl::StrSplit(lines[line], ',');
    f[provincial::kStatus] = status;
    return absl::StrJoin(f, ",");
  };
  const std::string csv = absl::StrCat(
      lines[0], "\n", with_status(1, "01"), "\n", with_status(2, "退休"), "\n",
      with_status(3, "1"), "\n", with_status(4, "13"), "\n");
  v1::ImportReport report = ImportTeachers(store, csv, /*dry_run=*/false);
  REQUIRE(report.problems_size() == 3);
  CHECK_THAT(ProblemAt(report, 2, "status").rule(),
             Catch::Contains("离退休、离职等人员信息不采集"));
  CHECK_THAT(ProblemAt(report, 3, "status").rule(),
             Catch::Contains("在职情况变动"));
  const std::string ambiguous = ProblemAt(report, 4, "status").rule();
  CHECK_THAT(ambiguous, Catch::Contains("有歧义"));
  // The allowed values in code order, 11–15 included.
  CHECK_THAT(ambiguous, Catch::Contains("01 退休"));
  CHECK_THAT(ambiguous, Catch::Contains("15 离岗进修"));
  CHECK(ambiguous.find("01 退休") < ambiguous.find("11 在职"));
  CHECK(report.rows_applied() == 1);  // 13 待退休 still serves
  CHECK(Count(store, "outbox") == 1);
}

TEST_CASE(
    "A closed school and a school under a closed county are named as such",
    "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 200, 1);
  std::vector<std::string> lines =
      absl::StrSplit(SyntheticTeachers(44, 40, 1), '\n');
  auto school_of = [&](int i) -> std::string {
    std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    return f[10];
  };
  auto county_of = [&](const std::string& school) {
    // County codes are 6 digits; as numbers they compare the same.
    return ValueOrDie(store.db().QueryInt(absl::StrCat(
        "SELECT parent_code FROM units WHERE code = '", school, "'")));
  };
  const std::string closed_school = school_of(1);
  int other = 2;
  while (other < 40 && county_of(school_of(other)) == county_of(closed_school))
    ++other;
  REQUIRE(other < 40);
  const std::string county = absl::StrCat(county_of(school_of(other)));
  NTMIS_ASSERT_OK(store.db().Exec(
      absl::StrCat("UPDATE units SET closed = 1 WHERE code IN ('",
                   closed_school, "', '", county, "')")));
  const std::string csv =
      absl::StrCat(lines[0], "\n", lines[1], "\n", lines[other], "\n");
  v1::ImportReport report = ImportTeachers(store, csv, /*dry_run=*/false);
  CHECK(report.rows_applied() == 0);
  CHECK(ProblemAt(report, 2, "school_code").rule() ==
        "该学校已撤销（关闭），不能再录入教师");
  CHECK(ProblemAt(report, 3, "school_code").rule() ==
        absl::StrCat("该学校所属单位 ", county,
                     " 已撤销（关闭），不能再录入教师"));
  CHECK(Count(store, "teachers") == 0);
}

TEST_CASE("The unit import names the earlier row of a duplicate code",
          "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 20, 1);
  auto handler = ValueOrDie(
      provincial::UnitRowHandler::Create(store, ProvinceAdmin(store)));
  provincial::CsvImport import(store, *handler, {});
  NTMIS_ASSERT_OK(
      import.Feed("code,parent_code,level,name,school_category\n"
                  "4499,44,city,新市,\n"  // row 2
                  "\n"                    // line 3 is blank and still counts
                  "449901,4499,county,新区,\n"    // row 4
                  "4499,44,city,又一个新市,\n"))  // row 5: the code of row 2
  ;
  v1::ImportReport report = ValueOrDie(import.Finish());
  CHECK(report.rows_applied() == 2);
  REQUIRE(report.problems_size() == 1);
  CHECK(report.problems(0).row() == 5);
  CHECK(report.problems(0).column() == "code");
  CHECK(report.problems(0).rule() == "重复：本文件第 2 行已有同一单位代码");
}

TEST_CASE("A wrong header stops the import before any row", "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 100, 1);
  std::string csv = SyntheticTeachers(44, 10, 1);
  std::string missing = csv;
  missing.replace(0, 5, "nome,");  // "name" renamed
  v1::ImportReport report = ImportTeachers(store, missing, false);
  CHECK(report.rows_applied() == 0);
  CHECK(Count(store, "teachers") == 0);
  CHECK_THAT(ProblemAt(report, 1, "nome").rule(),
             Catch::Contains("模板没有的列"));
  CHECK_THAT(ProblemAt(report, 1, "name").rule(), Catch::Contains("缺少"));
  CHECK(ProblemAt(report, 1, "name").column_label() == "姓名");
  CHECK_THAT(ImportTeachers(store, "", false).problems(0).rule(),
             Catch::Contains("文件是空的"));
}

TEST_CASE(
    "What clerks put before an ID-card number is trimmed and a huge unknown "
    "header is cut",
    "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 200, 1);
  std::vector<std::string> lines =
      absl::StrSplit(SyntheticTeachers(44, 3, 1), '\n');
  std::vector<std::string> tab = absl::StrSplit(lines[1], ',');
  tab[provincial::kIdCardNumber] = "\t" + tab[provincial::kIdCardNumber];
  std::vector<std::string> quote = absl::StrSplit(lines[2], ',');
  quote[provincial::kIdCardNumber] = "'" + quote[provincial::kIdCardNumber];
  v1::ImportReport report =
      ImportTeachers(store,
                     absl::StrCat(lines[0], "\n", absl::StrJoin(tab, ","), "\n",
                                  absl::StrJoin(quote, ","), "\n"),
                     false);
  CHECK(report.problems_size() == 0);
  CHECK(report.rows_applied() == 2);

  // An unknown header cell of a megabyte is reported cut, like any value.
  const std::string huge(1 << 20, 'x');
  v1::ImportReport header = ImportTeachers(
      store, absl::StrCat(huge, ",", lines[0], "\n", "1,", lines[1], "\n"),
      false);
  REQUIRE(header.problems_size() >= 1);
  CHECK(header.problems(0).column().size() < 300);
  CHECK(header.problems(0).value().size() < 300);
  CHECK_THAT(header.problems(0).rule(), Catch::Contains("模板没有的列"));

  // The report file says how many problems it does not list.
  std::vector<v1::ImportProblem> shown(2, header.problems(0));
  const std::string csv = ImportProblemsCsv(shown, 12345);
  CHECK_THAT(csv, Catch::Contains("另有 12343 个问题未列出"));
}

TEST_CASE("A school under a closed county is refused by the unit import",
          "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 20, 1);
  auto handler = ValueOrDie(
      provincial::UnitRowHandler::Create(store, ProvinceAdmin(store)));
  provincial::CsvImport first(store, *handler, {});
  NTMIS_ASSERT_OK(first.Feed(
      "code,parent_code,level,name,school_category\n4499,44,city,新市,\n"
      "449901,4499,county,新区,\n"));
  REQUIRE(ValueOrDie(first.Finish()).rows_applied() == 2);
  NTMIS_ASSERT_OK(
      store.db().Exec("UPDATE units SET closed = 1 WHERE code = '449901'"));
  auto again = ValueOrDie(
      provincial::UnitRowHandler::Create(store, ProvinceAdmin(store)));
  provincial::CsvImport second(store, *again, {});
  NTMIS_ASSERT_OK(
      second.Feed("code,parent_code,level,name,school_category\n"
                  "4499010001,449901,school,新区第一小学,21\n"));
  v1::ImportReport report = ValueOrDie(second.Finish());
  CHECK(report.rows_applied() == 0);
  CHECK_THAT(ProblemAt(report, 2, "parent_code").rule(),
             Catch::Contains("未撤销"));
}

TEST_CASE("GB18030 files import and a stray GB18030 row in UTF-8 is reported",
          "[import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 300, 2);
  std::string csv = SyntheticTeachers(44, 300, 2);
  v1::ImportReport report = ImportTeachers(store, ToGb18030(csv), false, 7);
  CHECK(report.encoding() == "GB18030");
  CHECK(report.rows_applied() == 300);
  CHECK(report.problems_total() == 0);

  TempDir dir2;
  provincial::Store other = ProvinceWithUnits(dir2.File("p.db"), 44, 300, 2);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n');
  lines[200] = ToGb18030(lines[200]);  // file row 201
  v1::ImportReport mixed =
      ImportTeachers(other, absl::StrJoin(lines, "\n"), false);
  CHECK(mixed.encoding() == "UTF-8");
  CHECK(mixed.rows_applied() == 299);
  CHECK_THAT(ProblemAt(mixed, 201, "name").rule(),
             Catch::Contains("像是 GB18030 编码"));
}

TEST_CASE("An import killed at any moment leaves whole batches only",
          "[import][fault]") {
  constexpr int kRows = 12000;
  constexpr int kBatch = 300;
  TempDir dir;
  const std::string path = dir.File("p.db");
  { ProvinceWithUnits(path, 44, kRows, 5); }
  const std::string csv = SyntheticTeachers(44, kRows, 5);
  int cut_mid_import = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      provincial::Store store = ValueOrDie(provincial::Store::Open(path));
      ImportTeachers(store, csv, false, 1 << 12, kBatch);
      _exit(0);
    }
    // Wait for the first committed batch (however fast this machine is),
    // then kill at a different moment each time.
    {
      sql::Database watcher = ValueOrDie(sql::Database::Open(path));
      for (int i = 0; i < 5000; ++i) {
        if (ValueOrDie(watcher.QueryInt("SELECT COUNT(*) FROM teachers")) > 0)
          break;
        if (waitpid(child, nullptr, WNOHANG) == child) break;
        usleep(1000);
      }
    }
    usleep(attempt * 7000);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);

    provincial::Store store = ValueOrDie(provincial::Store::Open(path));
    auto check = ValueOrDie(store.db().Prepare("PRAGMA integrity_check"));
    REQUIRE(ValueOrDie(check.Step()));
    CHECK(check.ColumnText(0) == "ok");
    int64_t teachers = Count(store, "teachers");
    INFO("attempt " << attempt << ": " << teachers
                    << " teachers after the kill");
    CHECK(teachers % kBatch == 0);
    if (teachers > 0 && teachers < kRows) ++cut_mid_import;
    CHECK(Count(store, "outbox") == teachers);
    CHECK(ValueOrDie(store.GetMetaInt("next_teacher_seq", 1)) == teachers + 1);
    // Start again from a clean slate for the next attempt.
    NTMIS_ASSERT_OK(
        store.db().Exec("DELETE FROM teachers; DELETE FROM outbox; "
                        "DELETE FROM meta WHERE key = 'next_teacher_seq'"));
  }
  CHECK(cut_mid_import > 0);  // the kills did land inside imports
}

}  // namespace
}  // namespace ntmis::testing
