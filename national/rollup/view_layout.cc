#include "national/rollup/view_layout.h"

#include <algorithm>

namespace ntmis::national {
namespace {

int Width(const CellField& f) {
  int bits = 0;
  for (int64_t m = f.mask; m != 0; m >>= 1) ++bits;
  return bits;
}

// Fields by position, most significant first, without repeats.
std::vector<CellField> Canonical(std::vector<CellField> fields) {
  std::sort(
      fields.begin(), fields.end(),
      [](const CellField& a, const CellField& b) { return a.shift > b.shift; });
  fields.erase(std::unique(fields.begin(), fields.end(),
                           [](const CellField& a, const CellField& b) {
                             return a.shift == b.shift;
                           }),
               fields.end());
  return fields;
}

}  // namespace

ViewLayout::ViewLayout(const std::vector<CellField>& filtered,
                       const std::vector<CellField>& grouped)
    : identity_(false) {
  parts_ = Canonical(filtered);
  filtered_ = parts_.size();
  for (const CellField& g : Canonical(grouped)) {
    const bool seen =
        std::any_of(parts_.begin(), parts_.begin() + filtered_,
                    [&](const CellField& f) { return f.shift == g.shift; });
    if (!seen) parts_.push_back(g);
  }
  shifts_.resize(parts_.size());
  int shift = 0;
  fields_ = 0;
  for (size_t i = parts_.size(); i-- > 0;) {
    shifts_[i] = shift;
    shift += Width(parts_[i]);
    fields_ |= parts_[i].mask << parts_[i].shift;
  }
}

int64_t ViewLayout::Project(int64_t cell) const {
  if (identity_) return cell;
  int64_t out = 0;
  for (size_t i = 0; i < parts_.size(); ++i)
    out |= ((cell >> parts_[i].shift) & parts_[i].mask) << shifts_[i];
  return out;
}

int64_t ViewLayout::Unproject(int64_t view_cell) const {
  if (identity_) return view_cell;
  int64_t out = 0;
  for (size_t i = 0; i < parts_.size(); ++i)
    out |= ((view_cell >> shifts_[i]) & parts_[i].mask) << parts_[i].shift;
  return out;
}

CellField ViewLayout::Place(const CellField& field) const {
  if (identity_) return field;
  for (size_t i = 0; i < parts_.size(); ++i)
    if (parts_[i].shift == field.shift) return {shifts_[i], parts_[i].mask};
  return {0, 0};  // not kept: reads as value 0
}

std::optional<std::vector<std::pair<int64_t, int64_t>>> ViewLayout::Ranges(
    const std::vector<CellFilter>& where) const {
  if (identity_ || filtered_ == 0) return std::nullopt;
  // Each filtered field's admitted values (every filter on it must admit).
  std::vector<std::vector<int64_t>> admitted(filtered_);
  for (size_t i = 0; i < filtered_; ++i) {
    for (int64_t v = 0; v <= parts_[i].mask; ++v) {
      bool pass = true;
      for (const CellFilter& f : where) {
        if (f.field.shift != parts_[i].shift) continue;
        pass = pass && static_cast<size_t>(v) < f.allowed.size() &&
               f.allowed[v] != 0;
      }
      if (pass) admitted[i].push_back(v);
    }
  }
  // Every admitted value of the leading filtered fields, then runs of
  // consecutive admitted values of the last one.
  std::vector<int64_t> prefixes = {0};
  for (size_t i = 0; i + 1 < filtered_; ++i) {
    const int width = Width(parts_[i]);
    std::vector<int64_t> longer;
    for (int64_t p : prefixes)
      for (int64_t v : admitted[i]) longer.push_back((p << width) | v);
    if (longer.size() > kMaxRanges) return std::nullopt;
    prefixes.swap(longer);
  }
  const std::vector<int64_t>& last = admitted[filtered_ - 1];
  const int last_width = Width(parts_[filtered_ - 1]);
  const int low =
      shifts_[filtered_ - 1];  // bits of the fields after the filtered ones
  const int64_t low_all = (int64_t{1} << low) - 1;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t p : prefixes) {
    for (size_t k = 0; k < last.size();) {
      size_t end = k;
      while (end + 1 < last.size() && last[end + 1] == last[end] + 1) ++end;
      const int64_t lo = ((p << last_width) | last[k]) << low;
      const int64_t hi = ((p << last_width) | last[end]) << low | low_all;
      ranges.emplace_back(lo, hi);
      if (ranges.size() > kMaxRanges) return std::nullopt;
      k = end + 1;
    }
  }
  return ranges;
}

}  // namespace ntmis::national
