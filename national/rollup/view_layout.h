// How a view of the in-memory rollup (national/rollup/rollup_cube.h) lays out
// the fields it keeps in its own cell numbers: the fields its queries filter by
// first (most significant), then the fields they only group by, each at its
// own width. A view's cells are sorted by these numbers, so the cells a
// filter admits lie in a few ranges, and a filtered query reads only those
// ranges (a binary search each) instead of the whole view.
#ifndef NTMIS_NATIONAL_ROLLUP_VIEW_LAYOUT_H_
#define NTMIS_NATIONAL_ROLLUP_VIEW_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace ntmis::national {

// One bit field of a rollup cell: (cell >> shift) & mask, mask = 2^bits - 1.
struct CellField {
  int shift = 0;
  int64_t mask = 0;
};

// Cells whose field value is in `allowed` (indexed by value: 1 admits,
// 0 refuses; bytes rather than bits, as every cell read is checked).
struct CellFilter {
  CellField field;
  std::vector<uint8_t> allowed;
};

// Immutable once built; thread-safe to share.
class ViewLayout {
 public:
  // The full rollup's own layout: view cells are rollup cells.
  ViewLayout() = default;
  // `filtered` fields first, then the `grouped` ones not filtered; each
  // list in any order, a field named twice is kept once.
  ViewLayout(const std::vector<CellField>& filtered,
             const std::vector<CellField>& grouped);

  // A rollup cell as this view's cell, and back (fields the view does not
  // keep are zero).
  int64_t Project(int64_t cell) const;
  int64_t Unproject(int64_t view_cell) const;

  // Where a rollup field the view keeps lies in the view's cells.
  CellField Place(const CellField& field) const;
  // Every field the view keeps, as a mask of rollup cell bits.
  int64_t fields() const { return fields_; }

  // Closed ranges, ascending, holding exactly the view cells that pass
  // `where` (filters on rollup fields; every filtered field of the layout
  // must be named), so a reader of the ranges need not check the filters.
  // nullopt: no filtered fields, or the filters admit too many ranges; read
  // the view whole and check.
  std::optional<std::vector<std::pair<int64_t, int64_t>>> Ranges(
      const std::vector<CellFilter>& where) const;

  static constexpr size_t kMaxRanges = 1024;

 private:
  std::vector<CellField> parts_;  // most significant first
  std::vector<int> shifts_;       // each part's shift in the view's cells
  size_t filtered_ = 0;           // the first parts are the filtered fields
  int64_t fields_ = -1;           // identity: all
  bool identity_ = true;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ROLLUP_VIEW_LAYOUT_H_
