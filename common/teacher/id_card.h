// GB 11643 resident ID-card numbers: structure, check character, and the
// birth date, gender and region they encode.
#ifndef NTMIS_COMMON_TEACHER_ID_CARD_H_
#define NTMIS_COMMON_TEACHER_ID_CARD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/base/dates.h"
#include "ntmis/v1/codes.pb.h"

namespace ntmis {

struct IdCardInfo {
  std::string region;  // digits 1-6
  Date birth_date;     // digits 7-14
  v1::Gender gender;   // digit 17: odd male, even female
};

// The check character (0-9 or X) for the first 17 digits.
char IdCardCheckChar(absl::string_view first17);

// Validates an 18-character number: digits, check character (an 'x' is
// accepted for 'X'), a real birth date not in the future, and a region whose
// first two digits are a province-level code. INVALID_ARGUMENT names the rule.
absl::StatusOr<IdCardInfo> ParseIdCard(absl::string_view number);

// "440************23X": safe to print in reports and logs.
std::string MaskIdCard(absl::string_view number);

// `text` with every run that looks like an ID-card number (18 characters:
// 17 digits then a digit or X; or the old 15 digits), not touching another
// letter or digit, masked as MaskIdCard does. For text that reaches the
// audit or a log from users' input (a bad filter value, a file's cell).
std::string MaskIdCardsIn(absl::string_view text);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_ID_CARD_H_
