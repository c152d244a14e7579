// Operators' output: tables aligned for Chinese labels, CSV, JSON.
#include "national/query/report_format.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"

namespace ntmis::national {
namespace {

v1::AggregateResponse Sample() {
  v1::AggregateResponse r;
  r.add_group_by("province");
  v1::AggregateColumn* provinces = r.add_columns();
  provinces->set_dimension("province");
  provinces->add_codes("11");
  provinces->add_labels("北京市");
  provinces->add_codes("15");
  provinces->add_labels("内蒙古自治区");
  provinces->add_rows(0);
  provinces->add_rows(1);
  r.add_teachers(300);
  r.add_teachers(100);
  r.set_total(400);
  return r;
}

TEST_CASE("Aggregates print as CSV with shares and a total", "[format]") {
  CHECK(FormatAggregate(Sample(), Format::kCsv) ==
        "province,province_name,teachers,share\n"
        "11,北京市,300,75.00%\n"
        "15,内蒙古自治区,100,25.00%\n"
        "total,,400,100.00%\n");
}

TEST_CASE("Tables align columns by display width", "[format]") {
  std::vector<std::string> lines =
      absl::StrSplit(FormatAggregate(Sample(), Format::kTable), '\n');
  REQUIRE(lines.size() >= 5);
  // Every data line ends its count column at the same display column: the
  // share column starts right after, so the lines have equal display widths.
  auto width = [](const std::string& s) {
    size_t w = 0;
    for (size_t i = 0; i < s.size();) {
      unsigned char c = s[i];
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      w += len == 3 ? 2 : 1;
      i += len;
    }
    return w;
  };
  CHECK(width(lines[2]) == width(lines[3]));
  CHECK(width(lines[3]) == width(lines[4]));
  CHECK(lines[1].find_first_not_of('-') == std::string::npos);
}

TEST_CASE("Answers are read back row by row from their columns", "[format]") {
  std::vector<AnswerRow> rows = AnswerRows(Sample());
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].codes == std::vector<std::string>{"15"});
  CHECK(rows[1].labels == std::vector<std::string>{"内蒙古自治区"});
  CHECK(rows[1].teachers == 100);
  // A value index outside its column reads as "?" rather than failing.
  v1::AggregateResponse bad = Sample();
  bad.mutable_columns(0)->set_rows(1, 7);
  CHECK(AnswerRows(bad)[1].codes == std::vector<std::string>{"?"});
}

TEST_CASE("JSON output is one object per row with keys in a stable order",
          "[format]") {
  std::string json = FormatAggregate(Sample(), Format::kJson);
  // The same keys in the same order every time, and the share a fraction.
  CHECK(json == FormatAggregate(Sample(), Format::kJson));
  CHECK(json.find("\"group_by\"") < json.find("\"age_reference_date\""));
  CHECK(json.find("\"age_reference_date\"") < json.find("\"total\""));
  CHECK(json.find("\"total\"") < json.find("\"rows\""));
  CHECK(json.find("\"province\": \"15\", \"province_name\": \"内蒙古自治区\", "
                  "\"teachers\": 100, \"share\": 0.2500}") !=
        std::string::npos);
  CHECK(json.find("\"group_by\"") != std::string::npos);
  CHECK(json.find("\"province\": \"15\"") != std::string::npos);
  CHECK(json.find("\"province_name\": \"内蒙古自治区\"") != std::string::npos);
  CHECK(json.find("\"teachers\": 300") != std::string::npos);
  CHECK(json.find("\"total\": 400") != std::string::npos);
  CHECK_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace ntmis::national
