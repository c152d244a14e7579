#include "common/text_encoding.h"

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    if (len == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
      return i;
    if (len == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
      return i;
    i += len;
  }
  return n;
}

}  // namespace

const char* EncodingName(Encoding encoding) {
  return encoding == Encoding::kUtf8 ? "UTF-8" : "GB18030";
}

bool IsValidUtf8(absl::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

size_t Utf8Length(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Encoding DetectEncoding(absl::string_view sample, bool complete) {
  if (absl::StartsWith(sample, kUtf8Bom)) return Encoding::kUtf8;
  // Count well-formed multi-byte UTF-8 characters and bytes that cannot be
  // UTF-8. GB18030 text almost never forms the former; a UTF-8 file with a
  // stray row from elsewhere has far more of them than of the latter (and
  // that row is then reported on its own).
  size_t good = 0, bad = 0, i = 0;
  while (i < sample.size()) {
    size_t valid = ValidUtf8Prefix(sample.substr(i));
    for (size_t k = i; k < i + valid; ++k)
      good += (static_cast<unsigned char>(sample[k]) & 0xC0) == 0xC0;
    i += valid;
    if (i >= sample.size()) break;
    unsigned char c = static_cast<unsigned char>(sample[i]);
    if (!complete && sample.size() - i < 4 && c >= 0xC2 && c <= 0xF4) break;  // cut off
    ++bad;
    ++i;
  }
  return bad == 0 || good >= 10 * bad ? Encoding::kUtf8 : Encoding::kGb18030;
}

Utf8Decoder::Utf8Decoder(Encoding encoding) : encoding_(encoding) {
  if (encoding_ == Encoding::kGb18030) iconv_ = iconv_open("UTF-8", "GB18030");
}

Utf8Decoder::~Utf8Decoder() {
  if (iconv_ != reinterpret_cast<iconv_t>(-1)) iconv_close(iconv_);
}

absl::Status Utf8Decoder::Decode(absl::string_view chunk, bool last, std::string* out) {
  if (at_start_ && encoding_ == Encoding::kUtf8) {
    pending_.append(chunk.data(), chunk.size());
    if (pending_.size() < kUtf8Bom.size() && !last) return absl::OkStatus();
    absl::string_view rest = pending_;
    absl::ConsumePrefix(&rest, kUtf8Bom);
    out->append(rest.data(), rest.size());
    pending_.clear();
    at_start_ = false;
    return absl::OkStatus();
  }
  at_start_ = false;
  if (encoding_ == Encoding::kUtf8) {
    out->append(chunk.data(), chunk.size());
    return absl::OkStatus();
  }
  if (iconv_ == reinterpret_cast<iconv_t>(-1))
    return absl::InternalError("iconv has no GB18030 converter");
  pending_.append(chunk.data(), chunk.size());
  char* in = pending_.data();
  size_t in_left = pending_.size();
  size_t start = out->size();
  out->resize(start + in_left * 2 + 16);
  char* o = out->data() + start;
  size_t out_left = out->size() - start;
  while (in_left > 0) {
    size_t rc = iconv(iconv_, &in, &in_left, &o, &out_left);
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) {
      size_t used = o - out->data();
      out->resize(out->size() * 2);
      o = out->data() + used;
      out_left = out->size() - used;
      continue;
    }
    if (errno == EINVAL && !last) break;  // sequence continues in next chunk
    out->resize(o - out->data());
    return absl::InvalidArgumentError(absl::StrCat(
        "byte sequence is neither UTF-8 nor GB18030 near byte offset ",
        in - pending_.data()));
  }
  out->resize(o - out->data());
  pending_.erase(0, pending_.size() - in_left);
  return absl::OkStatus();
}

}  // namespace ntmis
