// Encoding detection and GB18030 decoding of imported files.
#include <catch2/catch.hpp>

#include "common/text_encoding.h"
#include "tests/test_support.h"

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

TEST_CASE("Decoders stream GB18030 and strip a BOM across chunks", "[encoding]") {
  std::string utf8 = "姓名,民族\n阿依古丽·艾买提,维吾尔族\n";
  std::string gb = ToGb18030(utf8);
  for (size_t chunk : {1, 2, 3, 5, 100}) {
    Utf8Decoder decoder(Encoding::kGb18030);
    std::string out;
    for (size_t i = 0; i < gb.size(); i += chunk) {
      bool last = i + chunk >= gb.size();
      REQUIRE(decoder.Decode(absl::string_view(gb).substr(i, chunk), last, &out).ok());
    }
    CHECK(out == utf8);
  }
  Utf8Decoder bom(Encoding::kUtf8);
  std::string out;
  std::string with_bom = "\xEF\xBB\xBF" + utf8;
  REQUIRE(bom.Decode(with_bom.substr(0, 2), false, &out).ok());
  REQUIRE(bom.Decode(with_bom.substr(2), true, &out).ok());
  CHECK(out == utf8);
  Utf8Decoder strict(Encoding::kGb18030);
  CHECK_FALSE(strict.Decode("\x81\x20", true, &out).ok());
}

}  // namespace
}  // namespace ntmis
