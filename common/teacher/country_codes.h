// Nationality codes: ISO 3166-1 alpha-3, the codes GB/T 2659 takes over
// (CHN; HKG, MAC and TWN for the regions the template's 国籍/地区 column
// names).
#ifndef NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_
#define NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace ntmis {

// True for an officially assigned ISO 3166-1 alpha-3 code (upper case).
bool IsCountryCode(absl::string_view code);

// The Chinese names of the countries and regions teachers in China most
// often hold (中国 first, then 中国香港, 中国澳门, 中国台湾, then others),
// as (code, name); a form offers them, any other valid code is typed.
const std::vector<std::pair<std::string, std::string>>& CommonCountries();

// The code of a nationality as a clerk writes it: the code itself (any
// case) or one of CommonCountries' names; "" when neither.
std::string CountryCodeOf(absl::string_view text);
// The name of a code, or the code when it is not one of CommonCountries.
std::string CountryLabel(absl::string_view code);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_
