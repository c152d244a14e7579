// The contact formats a clerk can trust (common/teacher/contact_formats.h),
// with the values the trial entered and the forms clerks really write.
#include "common/teacher/contact_formats.h"

#include <catch2/catch.hpp>

#include "common/teacher/country_codes.h"

namespace ntmis {
namespace {

TEST_CASE("Mobile numbers landlines and e-mail addresses are checked",
          "[formats]") {
  CHECK(IsMobileNumber("13800138000"));
  CHECK(IsMobileNumber("19912345678"));
  CHECK_FALSE(IsMobileNumber("1380013800"));    // 10 digits
  CHECK_FALSE(IsMobileNumber("12800138000"));   // 12x is no mobile prefix
  CHECK_FALSE(IsMobileNumber("138001380001"));  // 12 digits
  CHECK_FALSE(IsMobileNumber("请打办公室电话"));
  CHECK_FALSE(IsMobileNumber("1380013800a"));

  CHECK(IsPhoneNumber("020-83112233"));
  CHECK(IsPhoneNumber("0755-2345678"));
  CHECK(IsPhoneNumber("0755-2345678-801"));
  CHECK(IsPhoneNumber("02083112233"));
  CHECK(IsPhoneNumber("13800138000"));
  CHECK_FALSE(IsPhoneNumber("83112233"));  // no area code
  CHECK_FALSE(IsPhoneNumber("020-0311223"));
  CHECK_FALSE(IsPhoneNumber("20-83112233"));

  CHECK(IsEmailAddress("wang@school.edu.cn"));
  CHECK(IsEmailAddress("li.na+2026@example.cn"));
  CHECK_FALSE(IsEmailAddress("wang@school"));  // no domain
  CHECK_FALSE(IsEmailAddress("wang@@school.cn"));
  CHECK_FALSE(IsEmailAddress("@school.cn"));
  CHECK_FALSE(IsEmailAddress("wang@school.c"));
  CHECK_FALSE(IsEmailAddress("wang@-school.cn"));
  CHECK_FALSE(IsEmailAddress("王@school.cn"));
}

TEST_CASE("Nationality is chosen by name or given as an ISO code",
          "[formats]") {
  CHECK(CountryCodeOf("中国") == "CHN");
  CHECK(CountryCodeOf("中国香港") == "HKG");
  CHECK(CountryCodeOf("chn") == "CHN");
  CHECK(CountryCodeOf("FIN") == "FIN");  // any assigned code
  CHECK(CountryCodeOf("中华") == "");
  CHECK(CountryLabel("CHN") == "中国");
  CHECK(CountryLabel("FIN") == "FIN");
  CHECK(CommonCountries().front().second == "中国");
}

}  // namespace
}  // namespace ntmis
