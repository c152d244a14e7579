// Excel workbooks: the reader takes what Excel and WPS write (shared and
// inline strings, dates as day numbers, numbers, booleans, hidden sheets),
// a teacher workbook imports like its CSV with the same row-level report,
// every downloadable template reads back as its importer's header, and a
// damaged workbook is refused with what to do.
#include <xlsxwriter.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/tables/xlsx_reader.h"
#include "common/tables/xlsx_writer.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/import/import_templates.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

std::vector<SheetRow> ReadAll(const std::string& bytes,
                              std::string* sheet = nullptr) {
  auto reader = ValueOrDie(XlsxReader::Open(bytes));
  if (sheet != nullptr) *sheet = reader->sheet_name();
  std::vector<SheetRow> rows;
  SheetRow row;
  while (ValueOrDie(reader->Next(&row))) rows.push_back(row);
  return rows;
}

// The synthetic teacher CSV as a workbook with Chinese headers.
std::string TeachersWorkbook(const std::string& csv, bool constant_memory) {
  auto table = ValueOrDie(TableWorkbook::Create("教师基本信息"));
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  std::vector<std::string> header;
  for (const TableColumn& c : provincial::TeacherTemplate())
    header.push_back(c.label);
  REQUIRE(table->AddRow(header).ok());
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    REQUIRE(table->AddRow(fields).ok());
  }
  (void)constant_memory;
  return ValueOrDie(table->Finish());
}

TEST_CASE("The reader shows cells as people see them in Excel", "[xlsx]") {
  auto writer = ValueOrDie(XlsxWriter::Create(false));
  lxw_workbook* book = writer->workbook();
  lxw_worksheet* hidden = workbook_add_worksheet(book, "隐藏");
  lxw_worksheet* sheet = workbook_add_worksheet(book, "数据");
  worksheet_write_string(hidden, 0, 0, "never read", nullptr);
  worksheet_hide(hidden);
  worksheet_activate(sheet);
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
  lxw_format* builtin = workbook_add_format(book);
  format_set_num_format_index(builtin, 14);
  lxw_format* time = workbook_add_format(book);
  format_set_num_format(time, "yyyy-mm-dd hh:mm");
  worksheet_write_string(sheet, 0, 0, "姓名", nullptr);
  worksheet_write_string(sheet, 0, 2, "日期", nullptr);
  lxw_datetime d = {2010, 9, 1, 0, 0, 0};
  worksheet_write_string(sheet, 2, 0, "张三", nullptr);
  worksheet_write_datetime(sheet, 2, 1, &d, date);
  worksheet_write_datetime(sheet, 2, 2, &d, builtin);
  lxw_datetime dt = {1999, 12, 31, 13, 30, 0};
  worksheet_write_datetime(sheet, 2, 3, &dt, time);
  worksheet_write_number(sheet, 2, 4, 12, nullptr);
  worksheet_write_number(sheet, 2, 5, 3.5, nullptr);
  worksheet_write_boolean(sheet, 2, 6, 1, nullptr);
  worksheet_write_number(sheet, 2, 7, 44010119800101, nullptr);
  worksheet_write_string(sheet, 4, 25, "Z 列以后", nullptr);
  const std::string bytes = ValueOrDie(writer->Finish());

  std::string name;
  std::vector<SheetRow> rows = ReadAll(bytes, &name);
  CHECK(name == "数据");
  REQUIRE(rows.size() == 3);  // the empty row 2 is skipped
  CHECK(rows[0].row == 1);
  CHECK(rows[0].cells == std::vector<std::string>{"姓名", "", "日期"});
  CHECK(rows[1].row == 3);
  CHECK(rows[1].cells ==
        std::vector<std::string>{"张三", "2010-09-01", "2010-09-01",
                                 "1999-12-31 13:30:00", "12", "3.5", "1",
                                 "44010119800101"});
  CHECK(rows[2].row == 5);
  REQUIRE(rows[2].cells.size() == 26);
  CHECK(rows[2].cells[25] == "Z 列以后");
}

TEST_CASE(
    "A teacher workbook imports like its CSV and reports bad rows by the "
    "sheet's row numbers",
    "[xlsx][import]") {
  TempDir dir;
  provincial::Store store = ProvinceWithUnits(dir.File("p.db"), 44, 120, 3);
  std::string csv = SyntheticTeachers(44, 120, 3);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  std::vector<std::string> bad = absl::StrSplit(lines[4], ',');  // sheet row 5
  bad[provincial::kGender] = "未知";
  bad[provincial::kHireDate] = "2010-13-01";
  lines[4] = absl::StrJoin(bad, ",");
  const std::string book = TeachersWorkbook(absl::StrJoin(lines, "\n"), false);

  v1::ImportReport dry = ImportTeachers(store, book, true, 4096);
  CHECK(dry.encoding() == "xlsx");
  INFO(dry.ShortDebugString().substr(0, 2000));
  CHECK(dry.rows_valid() == 119);
  REQUIRE(dry.problems_total() == 2);
  for (const v1::ImportProblem& p : dry.problems()) CHECK(p.row() == 5);
  CHECK(ValueOrDie(store.db().QueryInt("SELECT COUNT(*) FROM teachers")) == 0);

  v1::ImportReport real = ImportTeachers(store, book, false);
  CHECK(real.rows_applied() == 119);
  CHECK(real.problems_total() == 2);
  CHECK(ValueOrDie(store.db().QueryInt("SELECT COUNT(*) FROM teachers")) ==
        119);
}

TEST_CASE("Every downloadable template reads back as its importer's header",
          "[xlsx]") {
  const v1::CategoryCatalog& catalog = provincial::NationalCatalog();
  for (const auto& [name, label] : provincial::ImportTemplateNames(catalog)) {
    INFO(name);
    provincial::ImportTemplate form =
        ValueOrDie(provincial::FindImportTemplate(catalog, name));
    const std::string bytes =
        ValueOrDie(provincial::ImportTemplateWorkbook(form));
    std::string sheet;
    std::vector<SheetRow> rows = ReadAll(bytes, &sheet);
    CHECK(sheet.find(label.substr(0, 3)) ==
          0);  // the data sheet, not the guide or the codes
    REQUIRE(rows.size() == 1);
    std::vector<std::string> labels;
    for (const auto& c : form.columns) labels.push_back(c.column.label);
    CHECK(rows[0].cells == labels);

    std::vector<TableColumn> columns;
    for (const auto& c : form.columns) columns.push_back(c.column);
    TableReader reader(columns);
    reader.Feed(bytes);
    reader.Finish();
    TableRow row;
    RowProblems problems(0);
    CHECK(reader.Next(&row, &problems) == TableReader::Result::kEnd);
    for (const v1::ImportProblem& p : problems.problems())
      FAIL_CHECK(p.ShortDebugString());
  }
  // A code column's drop-down offers the official labels.
  provincial::ImportTemplate teachers =
      ValueOrDie(provincial::FindImportTemplate(catalog, "teachers"));
  CHECK(teachers.columns[provincial::kGender].choices ==
        std::vector<std::string>{"男", "女"});
  CHECK_THAT(
      std::string(
          provincial::FindImportTemplate(catalog, "nosuch").status().message()),
      Catch::Contains("可选：teachers（教师基本信息）"));
}

TEST_CASE(
    "A damaged workbook or another kind of file is refused with what to do",
    "[xlsx]") {
  const v1::CategoryCatalog& catalog = provincial::NationalCatalog();
  const std::string good = ValueOrDie(provincial::ImportTemplateWorkbook(
      ValueOrDie(provincial::FindImportTemplate(catalog, "units"))));
  auto refusal = [](const std::string& bytes) {
    TableReader reader(provincial::UnitTemplate());
    reader.Feed(bytes);
    reader.Finish();
    TableRow row;
    RowProblems problems(0);
    REQUIRE(reader.Next(&row, &problems) == TableReader::Result::kRefused);
    REQUIRE(!problems.empty());
    return problems.problems()[0].rule();
  };
  CHECK_THAT(refusal(good.substr(0, good.size() / 2)),
             Catch::Contains("不是可读取的 Excel 工作簿"));
  std::string scrambled = good;
  for (size_t i = 200; i < scrambled.size(); i += 97) scrambled[i] ^= 0x5A;
  CHECK_THAT(refusal(scrambled), Catch::Contains("Excel"));
  CHECK_THAT(refusal(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) +
                     std::string(600, '\0')),
             Catch::Contains("旧版 Excel 工作簿"));
}

}  // namespace
}  // namespace ntmis::testing
