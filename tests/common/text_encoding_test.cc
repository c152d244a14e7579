// Encoding detection and GB18030 decoding of imported files.
#include "common/tables/text_encoding.h"

#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

namespace ntmis {
namespace {

using testing::ToGb18030;

TEST_CASE("UTF-8 and GB18030 are told apart", "[encoding]") {
  std::string utf8 = "姓名,性别\n王芳,女\n";
  std::string gb = ToGb18030(utf8);
  REQUIRE(gb != utf8);
  CHECK(DetectEncoding(utf8, true) == Encoding::kUtf8);
  CHECK(DetectEncoding("\xEF\xBB\xBF" + utf8, true) == Encoding::kUtf8);
  CHECK(DetectEncoding(gb, true) == Encoding::kGb18030);
  // A multi-byte character cut by the end of the sample is still UTF-8.
  CHECK(DetectEncoding(utf8.substr(0, 2), false) == Encoding::kUtf8);
  CHECK(IsValidUtf8(utf8));
  CHECK_FALSE(IsValidUtf8(gb));
}

}  // namespace
}  // namespace ntmis
