// The answer rows of an aggregate as 64-bit keys: the grouped values of one
// row (its province where a grouped dimension needs it, ages as bands)
// packed in group_by order, first dimension highest, so that ordering keys
// orders rows by their codes. Rows are merged, sorted and read back on
// these keys alone: no strings and no per-row allocation until the answer's
// columns are written.
#ifndef NTMIS_NATIONAL_ROLLUP_GROUP_KEYS_H_
#define NTMIS_NATIONAL_ROLLUP_GROUP_KEYS_H_

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "national/rollup/dimensions.h"

namespace ntmis::national {

class GroupKeys {
 public:
  // `group_by` as asked (at most kMaxGroupBy, none twice); ages are banded
  // on the statistics date of `reference_year`. Thread-compatible.
  GroupKeys(const std::vector<const Dimension*>& group_by, int reference_year);

  // Whether rows of different provinces never share a key (a grouped
  // province, city or county).
  bool by_province() const { return by_province_; }
  // Whether several cohorts of one province fold into one row.
  bool folds_ages() const { return folds_ages_; }
  // Bits a key uses (at most 64: a county takes 21, a city 14, a code at
  // most 7, a band 4).
  int bits() const { return bits_; }
  // Group dimension `i` and the bits of its part of a key.
  const Dimension& dimension(size_t i) const { return *parts_[i].dimension; }
  int width(size_t i) const { return parts_[i].width; }

  // The key of a group a province's rollup counted: `province` is its code
  // as a number, `cube_key` the rollup's group key (the grouped cell
  // fields, 16 bits each, first highest; see RollupCube).
  uint64_t Of(int province, uint64_t cube_key) const;

  // Group dimension `i` of a key.
  struct Value {
    int64_t value;  // the dimension's value; for age_band the band
    int province;   // the province a unit belongs to (a province: itself); else
                    // 0
    uint32_t ordinal;  // distinct per distinct (value, province)
  };
  Value ValueOf(uint64_t key, size_t i) const;

 private:
  struct Part {
    const Dimension* dimension;
    int shift = 0;  // in the key
    int width = 0;
    int cube_shift = -1;  // in the rollup's group key; -1: the province
  };
  std::vector<Part> parts_;
  std::array<uint8_t, 128> band_of_{};  // cohort field value -> band
  bool by_province_ = false;
  bool folds_ages_ = false;
  int bits_ = 0;
};

// Sorts (key, count) pairs by key; keys use the low `bits` bits. A radix
// sort: a nationwide county breakdown has tens of thousands of rows.
void SortByKey(std::vector<std::pair<uint64_t, uint64_t>>& rows, int bits);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ROLLUP_GROUP_KEYS_H_
