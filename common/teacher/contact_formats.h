// The forms of contact details a clerk can trust: a mainland mobile number
// (11 digits, 1[3-9]…), a landline (area code 0xx(x), 7–8 digits, an
// optional extension) and an e-mail address with a real domain. Checked
// where a category field declares the format (FieldDef.format, categories
// of provincial/core/data/category_catalog.textproto).
#ifndef NTMIS_COMMON_TEACHER_CONTACT_FORMATS_H_
#define NTMIS_COMMON_TEACHER_CONTACT_FORMATS_H_

#include "absl/strings/string_view.h"

namespace ntmis {

// "13800138000".
bool IsMobileNumber(absl::string_view text);
// "020-83112233", "02083112233", "0755-2345678-801", or a mobile number.
bool IsPhoneNumber(absl::string_view text);
// "wang@school.edu.cn": a local part, '@', and a domain of at least two
// labels whose last is letters only.
bool IsEmailAddress(absl::string_view text);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_CONTACT_FORMATS_H_
