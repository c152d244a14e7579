// RFC 8259 and nothing more (common/rpc/strict_json.h): every form protobuf's
// lenient parser also takes is refused with the rule and the place; what
// RFC 8259 allows passes.
#include "common/rpc/strict_json.h"

#include <catch2/catch.hpp>

namespace ntmis {
namespace {

TEST_CASE("Strict JSON accepts RFC 8259 values", "[json]") {
  for (const char* ok :
       {"{}", "[]", " {\"a\": [1, -2.5e+3, 0, true, false, null]} ", "\"\"",
        "{\"a\":{\"a\":1}}", "{\"名\":\"王小明\\u4e00\\ud83d\\ude00\"}", "0",
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "{\"a\":1,\"b\":2}"}) {
    INFO(ok);
    CHECK(CheckStrictJson(ok).ok());
  }
}

TEST_CASE("Strict JSON refuses what only a lenient parser reads", "[json]") {
  struct Case {
    const char* text;
    const char* rule;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"{\"a\":1,}", "多余的逗号"},
           {"[1,2,]", "多余的逗号"},
           {"{'a':1}", "双引号"},
           {"{\"a\":'x'}", "双引号"},
           {"{\"a\":1,\"a\":2}", "\"a\" 重复"},
           {"{\"b\":{\"x\":1},\"a\":{\"x\":1,\"x\":1}}", "\"x\" 重复"},
           {"{\"\\u0061\":1,\"a\":2}", "\"a\" 重复"},
           {"{\"a\":01}", "0 开头"},
           {"{\"a\":1} {}", "多余的内容"},
           {"{\"a\":NaN}", "不是 JSON 的值"},
           {"{\"a\":1", "结尾须是 }"},
           {"\"\x01\"", "控制字符"},
           {"\"\\x41\"", "转义"},
           {"\"\xc3\x28\"", "UTF-8"},
           {"\"\xed\xa0\x80\"", "UTF-8"},
           {"", "意外结束"},
           {"\xef\xbb\xbf{}", "不是 JSON 的值"},
           {"{\"a\":+1}", "不是 JSON 的值"},
           {"{\"a\":1.}", "数字格式"},
       }) {
    INFO(c.text);
    absl::Status s = CheckStrictJson(c.text);
    CHECK(absl::IsInvalidArgument(s));
    CHECK_THAT(std::string(s.message()), Catch::Contains(c.rule));
    CHECK_THAT(std::string(s.message()), Catch::Contains("字节处"));
  }
  std::string deep(100, '[');
  deep += std::string(100, ']');
  CHECK_THAT(std::string(CheckStrictJson(deep).message()),
             Catch::Contains("嵌套超过"));
}

TEST_CASE("Only the JSON media type passes", "[json]") {
  for (const char* ok :
       {"application/json", "application/json; charset=utf-8",
        "APPLICATION/JSON;charset=\"UTF-8\"", " application/json "})
    CHECK(IsJsonContentType(ok));
  for (const char* bad :
       {"application/jsonx", "application/json-seq", "text/json", "",
        "application/json; charset=gbk", "application/json; boundary=x",
        "application/json; charset=utf-8; x=y", "application/json;"})
    CHECK_FALSE(IsJsonContentType(bad));
}

}  // namespace
}  // namespace ntmis
