#include "common/login/password_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"

namespace ntmis {

std::string GeneratePassword() {
  // 12 characters from a set without look-alikes, then one of each class,
  // so the rules hold whatever the random part is.
  static constexpr char kAlphabet[] =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string random = crypto::RandomBytes(12);
  std::string password;
  for (unsigned char c : random)
    password.push_back(kAlphabet[c % (sizeof(kAlphabet) - 1)]);
  std::string tail = crypto::RandomBytes(2);
  password.push_back('-');
  password.push_back(
      kAlphabet[24 + static_cast<unsigned char>(tail[0]) % 24]);  // upper
  password.push_back(
      kAlphabet[48 + static_cast<unsigned char>(tail[1]) % 8]);  // digit
  password.push_back('k');
  return password;
}

absl::Status CheckPasswordRules(const std::string& password) {
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : password) {
    if (absl::ascii_islower(c))
      lower = true;
    else if (absl::ascii_isupper(c))
      upper = true;
    else if (absl::ascii_isdigit(c))
      digit = true;
    else
      other = true;
  }
  int classes = lower + upper + digit + other;
  if (password.size() < 8 || classes < 3) {
    return absl::InvalidArgumentError(
        "密码至少 8 位，且须包含小写字母、大写字母、数字、其他符号中的至少 3 "
        "类");
  }
  return absl::OkStatus();
}

absl::Status CheckUsernameRules(const std::string& username) {
  const bool plain = std::all_of(username.begin(), username.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (username.size() < 2 || username.size() > 64 || !plain)
    return absl::InvalidArgumentError(absl::StrCat(
        "用户名「", username.substr(0, 64),
        "」：须为 2 至 64 个英文字母、数字或 . _ -（如 lw.zhang），不含空格和"
        "汉字"));
  return absl::OkStatus();
}

}  // namespace ntmis
