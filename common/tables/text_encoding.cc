#include "common/tables/text_encoding.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ntmis {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Length of the valid UTF-8 prefix of `text`.
size_t ValidUtf8Prefix(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    if (len == 3 &&
        ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
      return i;
    if (len == 4 &&
        ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
      return i;
    i += len;
  }
  return n;
}

}  // namespace

const char* EncodingName(Encoding encoding) {
  return encoding == Encoding::kUtf8 ? "UTF-8" : "GB18030";
}

bool IsValidUtf8(absl::string_view text) {
  return ValidUtf8Prefix(text) == text.size();
}

bool IsAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
}

size_t Utf8Length(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Encoding DetectEncoding(absl::string_view sample, bool complete) {
  if (absl::StartsWith(sample, kUtf8Bom)) return Encoding::kUtf8;
  // Count lines, not bytes: lines of valid UTF-8 with non-ASCII text against
  // lines that are not UTF-8. GB18030 text almost never forms valid UTF-8,
  // so a UTF-8 file with a stray row from elsewhere stays UTF-8 (and that
  // row is reported on its own) even when its one row is long.
  if (!complete) {
    const size_t last_line = sample.rfind('\n');
    if (last_line != absl::string_view::npos)
      sample = sample.substr(0, last_line + 1);
  }
  size_t utf8_lines = 0, other_lines = 0;
  for (absl::string_view line : absl::StrSplit(sample, '\n')) {
    if (IsAscii(line)) continue;
    const size_t valid = ValidUtf8Prefix(line);
    // The end of an incomplete sample may cut a character.
    const bool cut = !complete && line.end() == sample.end() &&
                     line.size() - valid < 4 &&
                     static_cast<unsigned char>(line[valid]) >= 0xC2 &&
                     static_cast<unsigned char>(line[valid]) <= 0xF4;
    (valid == line.size() || cut ? utf8_lines : other_lines)++;
  }
  return other_lines == 0 || utf8_lines >= other_lines ? Encoding::kUtf8
                                                       : Encoding::kGb18030;
}

// The code point at text[*i] (advancing *i), or -1 for a byte that does not
// start a well-formed UTF-8 sequence (advancing one byte).
int32_t NextUtf8CodePoint(absl::string_view text, size_t* i) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char c = s[*i];
  if (c < 0x80) {
    ++*i;
    return c;
  }
  size_t len = 0;
  int32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    ++*i;
    return -1;
  }
  if (*i + len > n) {
    ++*i;
    return -1;
  }
  for (size_t k = 1; k < len; ++k) {
    if ((s[*i + k] & 0xC0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (s[*i + k] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    ++*i;
    return -1;
  }
  *i += len;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace ntmis
