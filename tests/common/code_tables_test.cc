// Code tables read from codes.proto.
#include "common/teacher/code_tables.h"

#include <catch2/catch.hpp>

namespace ntmis {
namespace {

TEST_CASE("Code tables parse codes and official labels", "[codes]") {
  const CodeTable& ethnicity = CodeTable::Of<v1::Ethnicity>();
  CHECK(ethnicity.name() == "ethnicity");
  CHECK(*ethnicity.Parse("01") == 1);
  CHECK(*ethnicity.Parse("1") == 1);
  CHECK(*ethnicity.Parse("维吾尔族") == 5);
  CHECK(ethnicity.Code(5) == "05");
  CHECK(ethnicity.Label(56) == "基诺族");
  CHECK(ethnicity.values().size() == 58);  // 56 + other + foreign origin
  auto bad = ethnicity.Parse("99");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("01 汉族"));
  CHECK_FALSE(CodeTable::Of<v1::Gender>()
                  .Parse("0")
                  .ok());  // UNSPECIFIED is not a code
  CHECK(*CodeTable::Of<v1::Gender>().Parse("女") == 2);
}

TEST_CASE("Thirty-two node provinces", "[codes]") {
  CHECK(CodeTable::Of<v1::Province>().values().size() == 32);
  CHECK(IsProvinceCode(44));
  CHECK(IsProvinceCode(66));
  CHECK_FALSE(IsProvinceCode(71));
  CHECK(CodeTable::Of<v1::Province>().Label(66) == "新疆生产建设兵团");
}

}  // namespace
}  // namespace ntmis
