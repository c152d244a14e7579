#include "common/teacher/contact_formats.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace ntmis {
namespace {

bool Digits(absl::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(c)) return false;
  return true;
}

}  // namespace

bool IsMobileNumber(absl::string_view text) {
  return Digits(text, 11, 11) && text[0] == '1' && text[1] >= '3' &&
         text[1] <= '9';
}

bool IsPhoneNumber(absl::string_view text) {
  if (IsMobileNumber(text)) return true;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() == 1)  // area code and number written together
    return Digits(text, 10, 12) && text[0] == '0';
  if (parts.size() > 3) return false;
  const bool area = Digits(parts[0], 3, 4) && parts[0][0] == '0';
  if (!area || !Digits(parts[1], 7, 8) || parts[1][0] == '0') return false;
  return parts.size() == 2 || Digits(parts[2], 1, 6);
}

bool IsEmailAddress(absl::string_view text) {
  const size_t at = text.find('@');
  if (at == 0 || at == absl::string_view::npos || text.size() > 100 ||
      text.find('@', at + 1) != absl::string_view::npos)
    return false;
  for (char c : text.substr(0, at))
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+')
      return false;
  std::vector<absl::string_view> labels =
      absl::StrSplit(text.substr(at + 1), '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  if (labels.back().size() < 2) return false;
  for (char c : labels.back())
    if (!absl::ascii_isalpha(c)) return false;
  return true;
}

}  // namespace ntmis
