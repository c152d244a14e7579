// GB 11643 ID-card validation.
#include "common/teacher/id_card.h"

#include <catch2/catch.hpp>

#include "common/teacher/teacher_number.h"

namespace ntmis {
namespace {

TEST_CASE("Check character follows GB 11643 MOD 11-2", "[id]") {
  // The standard's own example.
  CHECK(IdCardCheckChar("11010519491231002") == 'X');
  auto info = ParseIdCard("11010519491231002X");
  REQUIRE(info.ok());
  CHECK(info->region == "110105");
  CHECK(info->birth_date.ToString() == "1949-12-31");
  CHECK(info->gender == v1::GENDER_FEMALE);       // digit 17 is 2
  CHECK(ParseIdCard("11010519491231002x").ok());  // lower-case x accepted
  std::string male = "44052419800101001";
  male += IdCardCheckChar(male);
  CHECK(ParseIdCard(male)->gender == v1::GENDER_MALE);
}

TEST_CASE("Bad ID-card numbers name the rule they break", "[id]") {
  auto message = [](const char* id) {
    return std::string(ParseIdCard(id).status().message());
  };
  CHECK_THAT(message("110105194912310021"), Catch::Contains("校验位"));
  CHECK_THAT(message("1101051949123100"), Catch::Contains("须为 18 位"));
  CHECK_THAT(message("11010519491231A02X"), Catch::Contains("位须为数字"));
  // 1949-02-30 does not exist; fix the check character so only the date fails.
  std::string bad_date = "11010519490230002";
  bad_date += IdCardCheckChar(bad_date);
  CHECK_THAT(message(bad_date.c_str()), Catch::Contains("出生日期"));
  std::string future = "11010530000101002";
  future += IdCardCheckChar(future);
  CHECK_THAT(message(future.c_str()), Catch::Contains("出生日期"));
  std::string region = "99010519491231002";
  region += IdCardCheckChar(region);
  CHECK_THAT(message(region.c_str()), Catch::Contains("省级代码"));
}

TEST_CASE("Masking keeps ID-card numbers out of reports", "[id]") {
  CHECK(MaskIdCard("11010519491231002X") == "110************02X");
}

TEST_CASE("Teacher numbers carry a check digit", "[id]") {
  std::string n = MintTeacherNumber(44, 123);
  CHECK(n.size() == 12);
  CHECK(n.substr(0, 11) == "44000000123");
  CHECK(IsValidTeacherNumber(n));
  std::string altered = n;
  altered[5] = altered[5] == '9' ? '8' : altered[5] + 1;
  CHECK_FALSE(IsValidTeacherNumber(altered));
  CHECK_FALSE(IsValidTeacherNumber("4400000012"));
}

}  // namespace
}  // namespace ntmis
