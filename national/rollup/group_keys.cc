#include "national/rollup/group_keys.h"

#include <algorithm>

#include "national/rollup/age_bands.h"

namespace ntmis::national {
namespace {

using Kind = Dimension::Kind;

constexpr int kProvinceBits = 7;  // province codes are below 128
constexpr int kBandBits = 4;      // kAgeBands bands
constexpr int kCubeKeyBits = 16;  // a field of the rollup's group key

}  // namespace

GroupKeys::GroupKeys(const std::vector<const Dimension*>& group_by,
                     int reference_year) {
  int cube_fields = 0;
  for (const Dimension* d : group_by) cube_fields += d->in_cell() ? 1 : 0;
  int cube_field = 0;
  for (const Dimension* d : group_by) {
    Part part{d};
    switch (d->kind) {
      case Kind::kProvince:
        part.width = kProvinceBits;
        break;
      case Kind::kUnit:
        part.width = kProvinceBits + d->bits;
        break;
      case Kind::kAgeBand:
        part.width = kBandBits;
        break;
      case Kind::kCode:
        part.width = d->bits;
        break;
    }
    if (d->in_cell())
      part.cube_shift = kCubeKeyBits * (cube_fields - 1 - cube_field++);
    by_province_ =
        by_province_ || d->kind == Kind::kProvince || d->kind == Kind::kUnit;
    folds_ages_ = folds_ages_ || d->kind == Kind::kAgeBand;
    parts_.push_back(part);
  }
  for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) {
    it->shift = bits_;
    bits_ += it->width;
  }
  for (size_t cohort = 0; cohort < band_of_.size(); ++cohort)
    band_of_[cohort] = static_cast<uint8_t>(
        AgeBandOf(static_cast<int64_t>(cohort), reference_year));
}

uint64_t GroupKeys::Of(int province, uint64_t cube_key) const {
  uint64_t key = 0;
  for (const Part& part : parts_) {
    const uint64_t raw = part.cube_shift < 0
                             ? static_cast<uint64_t>(province)
                             : (cube_key >> part.cube_shift) &
                                   ((uint64_t{1} << kCubeKeyBits) - 1);
    uint64_t ordinal = raw;
    if (part.dimension->kind == Kind::kUnit) {
      ordinal = static_cast<uint64_t>(province) << part.dimension->bits | raw;
    } else if (part.dimension->kind == Kind::kAgeBand) {
      ordinal = band_of_[raw & (band_of_.size() - 1)];
    }
    key |= ordinal << part.shift;
  }
  return key;
}

GroupKeys::Value GroupKeys::ValueOf(uint64_t key, size_t i) const {
  const Part& part = parts_[i];
  const auto ordinal = static_cast<uint32_t>((key >> part.shift) &
                                             ((uint64_t{1} << part.width) - 1));
  switch (part.dimension->kind) {
    case Kind::kProvince:
      return {ordinal, static_cast<int>(ordinal), ordinal};
    case Kind::kUnit:
      return {ordinal & part.dimension->mask(),
              static_cast<int>(ordinal >> part.dimension->bits), ordinal};
    default:
      return {ordinal, 0, ordinal};
  }
}

void SortByKey(std::vector<std::pair<uint64_t, uint64_t>>& rows, int bits) {
  if (rows.size() < 256) {
    std::sort(rows.begin(), rows.end());
    return;
  }
  // Least significant digit first, 11 bits a pass; each pass is stable.
  constexpr int kDigitBits = 11;
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  std::vector<std::pair<uint64_t, uint64_t>> buffer(rows.size());
  std::vector<size_t> start(kBuckets);
  for (int shift = 0; shift < bits; shift += kDigitBits) {
    std::fill(start.begin(), start.end(), 0);
    for (const auto& row : rows) ++start[(row.first >> shift) & (kBuckets - 1)];
    size_t sum = 0;
    for (size_t& s : start) {
      const size_t n = s;
      s = sum;
      sum += n;
    }
    for (const auto& row : rows)
      buffer[start[(row.first >> shift) & (kBuckets - 1)]++] = row;
    rows.swap(buffer);
  }
}

}  // namespace ntmis::national
