// The one table reader (common/tables/table_reader.h) on the files people send,
// the registry import on top of it, and a randomized property check: any
// bytes give rows or problems, never a crash, and every reported value and
// rule is valid UTF-8 of bounded size.
#include "common/tables/table_reader.h"

#include <catch2/catch.hpp>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/base/dates.h"
#include "common/base/exit_code.h"
#include "common/tables/import_report.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/country_codes.h"
#include "national/registry/school_registry.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

using namespace std::string_literals;

std::vector<TableColumn> TwoColumns() {
  return {{"code", "代码", true, 10, false}, {"name", "名称", true, 20, false}};
}

struct Read {
  std::vector<TableRow> rows;
  std::vector<v1::ImportProblem> problems;
  bool refused = false;
};

Read ReadAll(const std::vector<TableColumn>& columns, const std::string& bytes,
             size_t chunk) {
  TableReader reader(columns);
  Read out;
  TableRow row;
  RowProblems problems(0);
  auto drain = [&] {
    while (true) {
      TableReader::Result r = reader.Next(&row, &problems);
      if (r == TableReader::Result::kNeedMore || r == TableReader::Result::kEnd)
        return;
      if (r == TableReader::Result::kRow) out.rows.push_back(row);
      if (r == TableReader::Result::kRefused) out.refused = true;
      for (auto& p : problems.problems()) {
        LabelProblem(columns, &p);
        out.problems.push_back(p);
      }
    }
  };
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    reader.Feed(absl::string_view(bytes).substr(i, chunk));
    drain();
  }
  reader.Finish();
  drain();
  return out;
}

std::string RuleAt(const Read& read, uint64_t row) {
  for (const auto& p : read.problems)
    if (p.row() == row) return p.rule();
  return "(no problem at row " + std::to_string(row) + ")";
}

}  // namespace

TEST_CASE(
    "The reader numbers rows by line and refuses bad characters row by row",
    "[reader]") {
  const std::string file =
      "code,name\n1,甲\n\n\n2,乙\x01\n3,\"丙\n丁\"\n4,a\tb\n5,x\xE2\x80\xAEy\n"
      "6,ok\n7,"s +
      '\0' + "z\n8,十个字以上的名字超过二十个字的限制啊啊啊啊啊啊啊\n";
  for (size_t chunk : {1, 3, 1000}) {
    Read r = ReadAll(TwoColumns(), file, chunk);
    INFO("chunk " << chunk);
    CHECK_FALSE(r.refused);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].row == 2);
    CHECK(r.rows[1].row ==
          10);  // "6,ok": blank lines and the quoted line break counted
    CHECK_THAT(RuleAt(r, 5), Catch::Contains("控制字符 U+0001"));
    CHECK_THAT(RuleAt(r, 6), Catch::Contains("换行符或制表符"));
    CHECK_THAT(RuleAt(r, 8), Catch::Contains("换行符或制表符"));
    CHECK_THAT(RuleAt(r, 9), Catch::Contains("U+202E"));
    CHECK_THAT(RuleAt(r, 11), Catch::Contains("NUL"));
    CHECK_THAT(RuleAt(r, 12), Catch::Contains("超过本列上限 20 字"));
  }
}

TEST_CASE(
    "NUL bytes anywhere and GB18030 rows in UTF-8 are problems of their row",
    "[reader]") {
  std::string big = "code,name\n";
  for (int i = 0; i < 40000; ++i)
    absl::StrAppend(&big, i % 1000, ",名字\n");  // > 1 MiB
  const uint64_t nul_line = 40002;
  big += std::string("9,a\0b\n", 6);
  big += "10,\xD5\xC5\xC8\xFD\n";  // 张三 in GB18030
  big += "11,尾\n";
  Read r = ReadAll(TwoColumns(), big, 1 << 16);
  CHECK(r.rows.size() == 40001);
  CHECK_THAT(RuleAt(r, nul_line), Catch::Contains("NUL"));
  CHECK_THAT(RuleAt(r, nul_line + 1), Catch::Contains("GB18030"));
  // A NUL on row 2 of a small file is that row's problem, not "UTF-16".
  Read small =
      ReadAll(TwoColumns(), std::string("code,name\n1,a\0\n2,b\n", 19), 7);
  CHECK_FALSE(small.refused);
  CHECK(small.rows.size() == 1);
  CHECK_THAT(RuleAt(small, 2), Catch::Contains("NUL"));
}

TEST_CASE("A bad byte in a GB18030 file loses only its own row", "[reader]") {
  std::string gb =
      "code,name\n1,\xD5\xC5\xC8\xFD\n2,\xD5\xC5\xFF\xFF\n3,\xC0\xEE\xCB\xC4\n";
  for (int i = 0; i < 20; ++i) gb += "4,\xD5\xC5\xC8\xFD\n";
  Read r = ReadAll(TwoColumns(), gb, 5);
  CHECK(r.rows.size() == 22);
  CHECK(r.rows[0].fields[1] == "张三");
  CHECK(r.rows[1].fields[1] == "李四");
  CHECK_THAT(RuleAt(r, 3), Catch::Contains("既不是 GB18030 也不是 UTF-8"));
}

TEST_CASE(
    "Files that are not CSV are named and separators other than comma are said",
    "[reader]") {
  CHECK_THAT(ReadAll(TwoColumns(),
                     "\xFF\xFE"
                     "c\0o\0",
                     100)
                 .problems.at(0)
                 .rule(),
             Catch::Contains("UTF-16"));
  CHECK_THAT(ReadAll(TwoColumns(), std::string("c\0o\0d\0e\0,\0n\0", 12), 100)
                 .problems.at(0)
                 .rule(),
             Catch::Contains("UTF-16"));
  CHECK_THAT(ReadAll(TwoColumns(), "PK\x03\x04xxxx", 100).problems.at(0).rule(),
             Catch::Contains("Excel 工作簿"));
  CHECK_THAT(
      ReadAll(TwoColumns(), "\xD0\xCF\x11\xE0xxxx", 100).problems.at(0).rule(),
      Catch::Contains(".xls"));
  Read semicolon = ReadAll(TwoColumns(), "code;name\n1;a\n", 100);
  CHECK(semicolon.refused);
  REQUIRE(semicolon.problems.size() == 1);
  CHECK_THAT(semicolon.problems[0].rule(), Catch::Contains("分号"));
  CHECK_THAT(
      ReadAll(TwoColumns(), "code\tname\n1\ta\n", 100).problems.at(0).rule(),
      Catch::Contains("制表符"));
}

TEST_CASE("Chinese headers full-width digits and long values", "[reader]") {
  Read r = ReadAll(TwoColumns(), "代码,名称\n１２３,Ａ校　\n", 100);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].fields[0] == "123");
  CHECK(r.rows[0].fields[1] == "A校");
  std::string huge = "code,name\n1," + std::string(10 << 20, 'x') + "\n";
  Read h = ReadAll(TwoColumns(), huge, 1 << 20);
  REQUIRE(h.problems.size() == 1);
  CHECK(h.problems[0].column_label() == "名称");
  CHECK(h.problems[0].value().size() < 200);  // cut, not echoed whole
  CHECK_THAT(h.problems[0].value(), Catch::Contains("共 10485760 字"));
  CHECK_THAT(h.problems[0].rule(), Catch::Contains("超过本列上限 20 字"));
  Read extra = ReadAll(TwoColumns(), "code,name\n1,a,b\n", 100);
  CHECK_THAT(RuleAt(extra, 2), Catch::Contains("本行有 3 个字段，表头有 2 个"));
  Read quote = ReadAll(TwoColumns(), "code,name\n1,\"某\"学校\n", 100);
  CHECK_THAT(RuleAt(quote, 2), Catch::Contains("闭合引号之后还有字符"));
}

TEST_CASE("Dates as spreadsheets write them and nationality codes",
          "[reader]") {
  for (const char* text :
       {"2010-09-01", "2010/9/1", "2010.09.01", "2010年9月1日",
        "2010-09-01 00:00:00", "2010/9/1 0:00", "20100901"}) {
    INFO(text);
    std::optional<Date> d = ParseEnteredDate(text);
    REQUIRE(d);
    CHECK(d->ToString() == "2010-09-01");
  }
  for (const char* text :
       {"2010/9-1", "2010年13月1日", "10/9/1", "2010-02-30", "2010年9月"}) {
    INFO(text);
    CHECK_FALSE(ParseEnteredDate(text));
  }
  CHECK(IsCountryCode("CHN"));
  CHECK(IsCountryCode("HKG"));
  CHECK_FALSE(IsCountryCode("ZZZ"));
}

TEST_CASE("Import exit codes tell a clean a partial and a refused import apart",
          "[reader]") {
  CHECK(ImportOutcome(0, 10, false).ok());
  CHECK(ExitCodeOf(ImportOutcome(2, 10, false)) == ExitCode::kImportPartial);
  CHECK(ExitCodeOf(ImportOutcome(2, 0, false)) == ExitCode::kImportRefused);
  CHECK(ExitCodeOf(ImportOutcome(2, 5, true)) == ExitCode::kImportPartial);
}

TEST_CASE(
    "The registry import refuses what once broke every sync and its dry run "
    "stores nothing",
    "[reader]") {
  TempDir dir;
  auto registry =
      ValueOrDie(national::SchoolRegistry::Open(dir.path() + "/national.db"));
  REQUIRE(sql::Database::Open(dir.path() + "/national.db")
              ->Exec(national::SchoolRegistry::kSchema)
              .ok());
  const std::string good =
      "code,name,county_code,school_category,closed\n"
      "4401010001,广州市第一小学,440101,2,0\n";
  std::string bad =
      good +
      "4401010002,\xB9\xE3\xD6\xDD,440101,2,0\n"  // GB18030 in UTF-8
      "4401010003," +
      std::string(200, 'x') + ",440101,2,0\n" +
      std::string("4401010004,a\0b,440101,2,0\n", 26) +
      "4401010005,\"某\"学校,440101,2,0\n"
      "4401010006,多一列,440101,2,0,9\n";
  auto refused = ValueOrDie(registry->Import(bad));
  CHECK(refused.problems.size() == 5);
  for (uint64_t row = 3; row <= 7; ++row) {
    bool found = false;
    for (const auto& p : refused.problems) found = found || p.row() == row;
    INFO("row " << row);
    CHECK(found);
  }
  CHECK(ValueOrDie(registry->Version()) == 0);
  auto dry = ValueOrDie(registry->Import(good, /*dry_run=*/true));
  CHECK(dry.problems.empty());
  CHECK(dry.changed == 1);
  CHECK(ValueOrDie(registry->Version()) == 0);
  auto real = ValueOrDie(registry->Import(good));
  CHECK(real.changed == 1);
  CHECK(ValueOrDie(registry->Version()) == 1);
  // A broken record stored before the rules existed is skipped, not sent.
  REQUIRE(sql::Database::Open(dir.path() + "/national.db")
              ->Exec("INSERT INTO schools VALUES ('4401010009', x'B9E3D6DD', "
                     "'44', '440101', 2, 0, 2)")
              .ok());
  auto changes = ValueOrDie(registry->ChangedSince("44", 0, 0, "", 100));
  CHECK(changes.schools.size() == 1);
  REQUIRE(changes.skipped.size() == 1);
  CHECK(changes.skipped[0].code() == "4401010009");
  CHECK(IsValidUtf8(changes.skipped[0].reason()));
}

TEST_CASE("Random bytes never crash the reader and every report is valid UTF-8",
          "[reader][fuzz]") {
  const int rounds = std::getenv("NTMIS_FUZZ_ROUNDS")
                         ? std::atoi(std::getenv("NTMIS_FUZZ_ROUNDS"))
                         : 300;
  std::mt19937_64 rng(42);
  const std::string alphabet[] = {
      ",",  "\"",       "\n",   "\r",           "\t", ";",  "\0",   "a",   "1",
      "甲", "\xD5\xC5", "\xFF", "\xE2\x80\xAE", "１", "　", "code", "name"};
  for (int round = 0; round < rounds; ++round) {
    std::string bytes = round % 2 ? "code,name\n" : "";
    const int pieces = static_cast<int>(rng() % 200);
    for (int i = 0; i < pieces; ++i) {
      const std::string& piece =
          alphabet[rng() % (sizeof alphabet / sizeof alphabet[0])];
      bytes += piece.empty() ? std::string(1, '\0') : piece;
    }
    Read r = ReadAll(TwoColumns(), bytes, 1 + rng() % 17);
    for (const auto& p : r.problems) {
      REQUIRE(IsValidUtf8(p.value()));
      REQUIRE(IsValidUtf8(p.rule()));
      REQUIRE(p.value().size() < 400);
    }
    for (const auto& row : r.rows) {
      REQUIRE(row.fields.size() == 2);
      for (const auto& f : row.fields) REQUIRE(IsValidUtf8(f));
    }
  }
}

}  // namespace ntmis::testing
