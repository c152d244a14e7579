// The in-memory copy of one province's rollup (cell -> teachers) that
// aggregate queries scan. It is loaded from the rollup table when the
// province file opens and receives each write transaction's rollup changes
// right after that transaction commits, so a query sees committed batches
// only, never reads SQLite and never waits for a batch to commit.
//
// Cells combine every dimension, so there are nearly as many as teachers.
// A query reads only the fields it groups or filters by, so it is answered
// from a view: the rollup projected onto those fields (far fewer cells),
// built from the smallest view that covers it the first time those filtered
// and grouped fields are asked for, then kept current with every batch like
// the full rollup. A view keeps its filtered fields first
// (national/rollup/view_layout.h), so a query reads only the ranges of cells
// its filter values admit. The least recently used views beyond kMaxViews are
// dropped.
//
// Thread-safe. Each view has its own lock: a query holds only the reader
// lock of the one view it scans, and a batch holds a view's writer lock
// only while it adds that view's changes, already projected onto the view
// (a few hundred cells), so queries never wait for a whole batch. Applying
// a batch, resetting and building a view are serialized by one writer lock.
#ifndef NTMIS_NATIONAL_ROLLUP_ROLLUP_CUBE_H_
#define NTMIS_NATIONAL_ROLLUP_ROLLUP_CUBE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "national/rollup/view_layout.h"

namespace ntmis::national {

struct CubeQuery {
  std::vector<CellField> group_by;  // at most four, ≤ 16 bits each
  std::vector<CellFilter> where;
};

// Group key (the group_by fields packed 16 bits each, first field highest)
// -> teachers.
using CubeCounts = absl::flat_hash_map<uint64_t, uint64_t>;

class RollupCube {
 public:
  // Replaces the contents (at open and after a rebuild).
  void Reset(const std::vector<std::pair<int64_t, int64_t>>& cells)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Adds committed count changes per cell.
  void Apply(const std::vector<std::pair<int64_t, int64_t>>& changes)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Adds this province's counts for `query` to `out`.
  void Count(const CubeQuery& query, CubeCounts& out)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Builds the view `query` would read, if it is not kept.
  void Prepare(const CubeQuery& query) ABSL_LOCKS_EXCLUDED(write_mu_) {
    (void)ViewOf(query);
  }

  // A view is named by the rollup bits of its filtered fields and of the
  // fields it groups by: queries of one name read one view.
  using ViewName = std::pair<int64_t, int64_t>;
  static ViewName NameOf(const CubeQuery& query);

  // Non-empty cells, for checks against the rollup table.
  std::vector<std::pair<int64_t, int64_t>> Cells() const
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Views currently kept (for tests and the benchmark).
  size_t views() const ABSL_LOCKS_EXCLUDED(write_mu_);

  static uint64_t PackKey(const std::vector<int64_t>& values);
  static std::vector<int64_t> UnpackKey(uint64_t key, size_t fields);

  static constexpr size_t kMaxViews = 48;

  // Cells with counts: sorted parallel arrays (12 bytes a cell; updates
  // find their cell by binary search), and the few cells that appeared
  // since the last merge in a small hash map. A cell that dropped to zero
  // keeps its slot until the next merge.
  struct Table {
    std::vector<int64_t> cells;
    std::vector<uint32_t> counts;
    absl::flat_hash_map<int64_t, int64_t> fresh;
    size_t empty_slots = 0;
    uint64_t merges = 0;  // changes whenever `cells` does
    void Add(int64_t cell, int64_t delta);
    void Merge();
    template <typename F>
    void ForEach(F&& f) const {  // f(cell, count) for every non-empty cell
      for (size_t i = 0; i < cells.size(); ++i)
        if (counts[i] > 0) f(cells[i], uint64_t{counts[i]});
      for (const auto& [cell, n] : fresh)
        if (n > 0) f(cell, static_cast<uint64_t>(n));
    }
  };

 private:
  struct View {
    ViewLayout layout;
    int64_t grouped = 0;  // the bits of its grouped fields in its cells
    mutable absl::Mutex mu;
    Table table ABSL_GUARDED_BY(mu);
    // The group (distinct values of the grouped fields) of each cell of
    // table.cells, and each group's grouped bits: a query sums counts per
    // group in a plain array, with no hashing per cell. Rebuilt whenever
    // table.cells changes (a merge).
    std::vector<uint32_t> group_of ABSL_GUARDED_BY(mu);
    std::vector<int64_t> groups ABSL_GUARDED_BY(mu);
    uint64_t grouped_at_merge ABSL_GUARDED_BY(mu) = ~uint64_t{0};
    void Regroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
    std::atomic<uint64_t> last_used{0};
  };
  // The view `query` reads, built if missing.
  std::shared_ptr<View> ViewOf(const CubeQuery& query)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // The view `name` of `query`'s fields, built if missing.
  std::shared_ptr<View> ViewFor(const ViewName& name, const CubeQuery& query)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) ABSL_LOCKS_EXCLUDED(views_mu_);
  // The view `name` if it is kept; null otherwise.
  std::shared_ptr<View> FindView(const ViewName& name) const
      ABSL_LOCKS_EXCLUDED(views_mu_);

  // Held by Apply, Reset and view building (one at a time).
  mutable absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(views_mu_);
  Table full_ ABSL_GUARDED_BY(write_mu_);
  // Changed only with write_mu_ held too; a query keeps the view it scans
  // alive even if it is dropped meanwhile.
  mutable absl::Mutex views_mu_;
  absl::flat_hash_map<ViewName, std::shared_ptr<View>> views_
      ABSL_GUARDED_BY(views_mu_);
  std::atomic<uint64_t> clock_{0};
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_ROLLUP_ROLLUP_CUBE_H_
