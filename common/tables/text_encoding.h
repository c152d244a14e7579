// Text encodings of imported files: UTF-8 (with or without BOM) and GB18030,
// detected from the first bytes (common/tables/table_reader.h decodes each
// row).
#ifndef NTMIS_COMMON_TABLES_TEXT_ENCODING_H_
#define NTMIS_COMMON_TABLES_TEXT_ENCODING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis {

enum class Encoding { kUtf8, kGb18030 };
const char* EncodingName(Encoding encoding);

bool IsValidUtf8(absl::string_view text);
// Only 7-bit ASCII: the same text in UTF-8 and GB18030.
bool IsAscii(absl::string_view text);
// Characters (code points) of valid UTF-8 `text`: what people count.
size_t Utf8Length(absl::string_view text);

// The code point at text[*i] (advancing *i past it), or -1 for a byte that
// does not start a well-formed UTF-8 sequence (RFC 3629: no overlong form,
// no surrogate; advancing one byte).
int32_t NextUtf8CodePoint(absl::string_view text, size_t* i);
// Appends code point `cp` as UTF-8.
void AppendUtf8(int32_t cp, std::string* out);

// UTF-8 if `sample` (the start of a file) is UTF-8 but for a few stray bytes
// (a multi-byte sequence cut at its end is fine unless `complete`); GB18030
// otherwise.
Encoding DetectEncoding(absl::string_view sample, bool complete);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_TEXT_ENCODING_H_
