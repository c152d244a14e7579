// Deterministic synthetic data for a province: a unit tree (cities,
// counties, schools of every category) and teachers whose distributions of
// age, gender, ethnicity, education, title and employment are plausible for
// their school category, with valid ID-card numbers consistent with birth
// date and gender. Same (province, count, seed) -> same bytes.
#ifndef NTMIS_PROVINCIAL_TOOLS_GENERATOR_H_
#define NTMIS_PROVINCIAL_TOOLS_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {

// Thread-compatible: one thread at a time.
class SyntheticProvince {
 public:
  // `teachers` sizes the school network (about one school per 60 teachers).
  SyntheticProvince(int province, uint64_t teachers, uint64_t seed);

  // The unit-template CSV (header first); parents before children.
  std::string UnitsCsv() const;
  const std::vector<Unit>& units() const { return units_; }

  // Writes the teacher-template CSV to `sink` in chunks (header first).
  void WriteTeachersCsv(const std::function<void(const std::string&)>& sink);

 private:
  struct School {
    std::string code;
    std::string county_code;
    v1::SchoolCategory category;
  };
  std::vector<std::string> NextTeacherRow();

  int province_;
  uint64_t teachers_;
  std::mt19937_64 rng_;
  std::vector<Unit> units_;
  std::vector<std::string> county_codes_;
  std::vector<std::vector<School>> schools_by_category_;  // index: category
  absl::flat_hash_set<std::string> ids_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_TOOLS_GENERATOR_H_
