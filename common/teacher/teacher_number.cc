#include "common/teacher/teacher_number.h"

#include "absl/strings/str_format.h"

namespace ntmis {
namespace {

// ISO 7064 MOD 11-10 check digit over decimal digits.
char CheckDigit(absl::string_view digits) {
  int p = 10;
  for (char c : digits) {
    int s = (p + (c - '0')) % 10;
    if (s == 0) s = 10;
    p = (s * 2) % 11;
  }
  return static_cast<char>('0' + (11 - p) % 10);
}

}  // namespace

std::string MintTeacherNumber(int province, uint64_t sequence) {
  std::string body(11, '0');
  for (int i = 10; i >= 2; --i, sequence /= 10)
    body[i] = static_cast<char>('0' + sequence % 10);
  body[0] = static_cast<char>('0' + province / 10 % 10);
  body[1] = static_cast<char>('0' + province % 10);
  return body + CheckDigit(body);
}

bool IsValidTeacherNumber(absl::string_view number) {
  if (number.size() != 12) return false;
  for (char c : number)
    if (c < '0' || c > '9') return false;
  return CheckDigit(number.substr(0, 11)) == number[11];
}

}  // namespace ntmis
