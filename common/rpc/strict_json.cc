#include "common/rpc/strict_json.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/tables/text_encoding.h"

namespace ntmis {
namespace {

// A recursive-descent reader of RFC 8259's grammar that stops at the first
// violation.
class Checker {
 public:
  Checker(std::string_view text, int max_depth)
      : s_(text), max_depth_(max_depth) {}

  absl::Status Run() {
    SkipSpace();
    if (!Value(0)) return Failure();
    SkipSpace();
    if (at_ != s_.size()) {
      Fail("值之后还有多余的内容");
      return Failure();
    }
    return absl::OkStatus();
  }

 private:
  bool Fail(std::string_view rule) {
    if (error_.empty()) error_ = std::string(rule);
    return false;
  }
  absl::Status Failure() const {
    return absl::InvalidArgumentError(absl::StrCat(
        "请求不是有效的 JSON（RFC 8259）：第 ", at_ + 1, " 字节处", error_));
  }
  bool End() const { return at_ >= s_.size(); }
  char Peek() const { return End() ? '\0' : s_[at_]; }
  void SkipSpace() {
    while (!End() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' ||
                      s_[at_] == '\r'))
      ++at_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word)
      return Fail("不是 JSON 的值（字符串须用双引号）");
    at_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (depth > max_depth_)
      return Fail(absl::StrCat("嵌套超过 ", max_depth_, " 层"));
    switch (Peek()) {
      case '{':
        return Object(depth);
      case '[':
        return Array(depth);
      case '"':
        return String(nullptr);
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        if (Peek() == '-' ||
            absl::ascii_isdigit(static_cast<unsigned char>(Peek())))
          return Number();
        return Fail(End() ? "内容意外结束"
                          : "不是 JSON 的值（字符串须用双引号）");
    }
  }

  bool Object(int depth) {
    ++at_;  // {
    std::set<std::string> keys;
    SkipSpace();
    if (Peek() == '}') {
      ++at_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (Peek() != '"')
        return Fail("对象的键须是双引号字符串（不允许多余的逗号）");
      const size_t key_at = at_;
      std::string key;
      if (!String(&key)) return false;
      if (!keys.insert(key).second) {
        at_ = key_at;
        return Fail(absl::StrCat("键 \"", key.substr(0, 60), "\" 重复出现"));
      }
      SkipSpace();
      if (Peek() != ':') return Fail("键之后须是冒号");
      ++at_;
      SkipSpace();
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Peek() == ',') {
        ++at_;
        continue;
      }
      if (Peek() == '}') {
        ++at_;
        return true;
      }
      return Fail("对象的成员之间须是逗号，结尾须是 }");
    }
  }

  bool Array(int depth) {
    ++at_;  // [
    SkipSpace();
    if (Peek() == ']') {
      ++at_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (Peek() == ']') return Fail("数组不允许多余的逗号");
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Peek() == ',') {
        ++at_;
        continue;
      }
      if (Peek() == ']') {
        ++at_;
        return true;
      }
      return Fail("数组的元素之间须是逗号，结尾须是 ]");
    }
  }

  bool Hex4(uint32_t* value) {
    *value = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      const char c = Peek();
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)))
        return Fail("\\u 之后须是四位十六进制数");
      *value = *value * 16 +
               static_cast<uint32_t>(absl::ascii_isdigit(c)
                                         ? c - '0'
                                         : absl::ascii_tolower(c) - 'a' + 10);
    }
    return true;
  }

  // One well-formed UTF-8 sequence (common/tables/text_encoding.h).
  bool Utf8(std::string* out) {
    size_t next = at_;
    if (NextUtf8CodePoint(absl::string_view(s_.data(), s_.size()), &next) < 0)
      return Fail("不是有效的 UTF-8");
    if (out != nullptr) out->append(s_.substr(at_, next - at_));
    at_ = next;
    return true;
  }

  bool String(std::string* out) {
    ++at_;  // "
    while (true) {
      if (End()) return Fail("字符串没有结束的双引号");
      const unsigned char c = static_cast<unsigned char>(s_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c < 0x20) return Fail("字符串中的控制字符须转义");
      if (c >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      if (c != '\\') {
        if (out != nullptr) out->push_back(static_cast<char>(c));
        ++at_;
        continue;
      }
      ++at_;
      const char e = Peek();
      static constexpr std::string_view kSimple = "\"\\/bfnrt";
      static constexpr std::string_view kMeaning = "\"\\/\b\f\n\r\t";
      if (size_t k = kSimple.find(e);
          e != '\0' && k != std::string_view::npos) {
        if (out != nullptr) out->push_back(kMeaning[k]);
        ++at_;
        continue;
      }
      if (e != 'u') return Fail("无效的转义序列");
      ++at_;
      uint32_t cp = 0;
      if (!Hex4(&cp)) return false;
      if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(at_, 2) == "\\u") {
        at_ += 2;
        uint32_t low = 0;
        if (!Hex4(&low)) return false;
        if (low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else {
          cp = 0xFFFD;  // a lone surrogate: RFC 8259 §8.2 leaves it to us
        }
      } else if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      if (out != nullptr) AppendUtf8(static_cast<int32_t>(cp), out);
    }
  }

  bool Digits() {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(Peek())))
      return Fail("数字格式不对");
    while (absl::ascii_isdigit(static_cast<unsigned char>(Peek()))) ++at_;
    return true;
  }

  bool Number() {
    if (Peek() == '-') ++at_;
    if (Peek() == '0') {
      ++at_;
      if (absl::ascii_isdigit(static_cast<unsigned char>(Peek())))
        return Fail("数字不能以 0 开头");
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++at_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++at_;
      if (Peek() == '+' || Peek() == '-') ++at_;
      if (!Digits()) return false;
    }
    return true;
  }

  std::string_view s_;
  const int max_depth_;
  size_t at_ = 0;
  std::string error_;
};

}  // namespace

absl::Status CheckStrictJson(std::string_view text, int max_depth) {
  return Checker(text, max_depth).Run();
}

bool IsJsonContentType(std::string_view header) {
  auto same = [](std::string_view a, std::string_view b) {
    return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                  absl::string_view(b.data(), b.size()));
  };
  auto strip = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
      v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
      v.remove_suffix(1);
    return v;
  };
  const size_t semi = header.find(';');
  if (!same(strip(header.substr(0, semi)), "application/json")) return false;
  if (semi == std::string_view::npos) return true;
  std::string_view param = strip(header.substr(semi + 1));
  const size_t eq = param.find('=');
  if (eq == std::string_view::npos || param.find(';') != std::string_view::npos)
    return false;
  if (!same(strip(param.substr(0, eq)), "charset")) return false;
  std::string_view value = strip(param.substr(eq + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return same(value, "utf-8");
}

}  // namespace ntmis
