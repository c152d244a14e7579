// Nationality codes: ISO 3166-1 alpha-3, the codes GB/T 2659 takes over
// (CHN; HKG, MAC and TWN for the regions the template's 国籍/地区 column
// names).
#ifndef NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_
#define NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_

#include "absl/strings/string_view.h"

namespace ntmis {

// True for an officially assigned ISO 3166-1 alpha-3 code (upper case).
bool IsCountryCode(absl::string_view code);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_COUNTRY_CODES_H_
