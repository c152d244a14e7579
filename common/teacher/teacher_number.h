// National teacher numbers: two-digit province of first registration, nine
// sequence digits, one check digit (ISO 7064 MOD 11-10). Minted once per
// person; never changes, even when the teacher moves province.
#ifndef NTMIS_COMMON_TEACHER_TEACHER_NUMBER_H_
#define NTMIS_COMMON_TEACHER_TEACHER_NUMBER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ntmis {

// `sequence` < 10^9.
std::string MintTeacherNumber(int province, uint64_t sequence);
bool IsValidTeacherNumber(absl::string_view number);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_TEACHER_NUMBER_H_
