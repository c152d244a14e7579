// Operators' output: tables aligned for Chinese labels, CSV, JSON.
#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"
#include "national/report_format.h"

namespace ntmis::national {
namespace {

v1::AggregateResponse Sample() {
  v1::AggregateResponse r;
  r.add_group_by("province");
  auto* a = r.add_rows();
  a->add_keys("11");
  a->add_labels("北京市");
  a->set_teachers(300);
  auto* b = r.add_rows();
  b->add_keys("15");
  b->add_labels("内蒙古自治区");
  b->set_teachers(100);
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
  std::vector<std::string> lines = absl::StrSplit(FormatAggregate(Sample(), Format::kTable), '\n');
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

TEST_CASE("JSON output keeps proto field names", "[format]") {
  std::string json = FormatAggregate(Sample(), Format::kJson);
  CHECK(json.find("\"group_by\"") != std::string::npos);
  CHECK(json.find("\"teachers\": \"300\"") != std::string::npos);  // uint64 as a string
  CHECK_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace ntmis::national
