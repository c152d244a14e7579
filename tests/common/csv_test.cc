// The incremental CSV reader and writer.
#include "common/tables/csv.h"

#include <catch2/catch.hpp>

namespace ntmis {
namespace {

std::vector<CsvRecord> ReadAll(const std::string& text, size_t chunk) {
  CsvReader reader;
  std::vector<CsvRecord> out;
  CsvRecord record;
  for (size_t i = 0; i <= text.size(); i += chunk) {
    if (i < text.size()) reader.Feed(absl::string_view(text).substr(i, chunk));
    if (i + chunk > text.size()) reader.Finish();
    while (reader.Next(&record) == CsvReader::Result::kRecord)
      out.push_back(record);
  }
  return out;
}

TEST_CASE("CSV quoting with escapes and CRLF and line breaks in fields",
          "[csv]") {
  std::string text =
      "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\n1,,3";
  for (size_t chunk : {1, 2, 3, 7, 1000}) {
    auto rows = ReadAll(text, chunk);
    INFO("chunk " << chunk);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].fields == std::vector<std::string>{"a", "b", "c"});
    CHECK(rows[1].fields ==
          std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"});
    CHECK(rows[1].error.empty());
    CHECK(rows[2].fields == std::vector<std::string>{"1", "", "3"});
    CHECK(rows[1].row == 2);
    CHECK(rows[2].row == 5);  // the line it is on: a quoted line break and a
                              // blank line before it
  }
}

TEST_CASE("Broken quoting is reported on its row", "[csv]") {
  auto rows = ReadAll("h\nab\"c\n\"ok\"x\n\"open", 4);
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].error == "quote inside an unquoted field");
  CHECK(rows[2].error == "characters after a closing quote");
  CHECK(rows[3].error == "unterminated quoted field");
}

TEST_CASE("Writer quotes only what needs it and round-trips", "[csv]") {
  std::string out;
  std::vector<std::string> fields = {"plain", "a,b", "q\"q", "l\nl", ""};
  AppendCsvLine(&out, fields);
  CHECK(out == "plain,\"a,b\",\"q\"\"q\",\"l\nl\",\n");
  auto rows = ReadAll(out, 5);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields == fields);
}

}  // namespace
}  // namespace ntmis
