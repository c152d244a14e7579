// Text encodings of imported files: UTF-8 (with or without BOM) and GB18030,
// detected from the first bytes and decoded incrementally to UTF-8.
#ifndef NTMIS_COMMON_TEXT_ENCODING_H_
#define NTMIS_COMMON_TEXT_ENCODING_H_

#include <iconv.h>

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace ntmis {

enum class Encoding { kUtf8, kGb18030 };
const char* EncodingName(Encoding encoding);

bool IsValidUtf8(absl::string_view text);
// Only 7-bit ASCII: the same text in UTF-8 and GB18030.
bool IsAscii(absl::string_view text);
// Characters (code points) of valid UTF-8 `text`: what people count.
size_t Utf8Length(absl::string_view text);

// UTF-8 if `sample` (the start of a file) is UTF-8 but for a few stray bytes
// (a multi-byte sequence cut at its end is fine unless `complete`); GB18030
// otherwise.
Encoding DetectEncoding(absl::string_view sample, bool complete);

// Streams a file's bytes to UTF-8: strips a UTF-8 BOM, converts GB18030 with
// iconv, carries sequences split across chunks. Not thread-safe.
class Utf8Decoder {
 public:
  explicit Utf8Decoder(Encoding encoding);
  ~Utf8Decoder();
  Utf8Decoder(const Utf8Decoder&) = delete;
  Utf8Decoder& operator=(const Utf8Decoder&) = delete;

  // Appends the UTF-8 text of `chunk` to `out`. INVALID_ARGUMENT for bytes
  // that are not GB18030 (a UTF-8 source is passed through; rows check it).
  absl::Status Decode(absl::string_view chunk, bool last, std::string* out);
  Encoding encoding() const { return encoding_; }

 private:
  Encoding encoding_;
  iconv_t iconv_ = reinterpret_cast<iconv_t>(-1);
  std::string pending_;
  bool at_start_ = true;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEXT_ENCODING_H_
