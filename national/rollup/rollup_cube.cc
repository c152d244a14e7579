#include "national/rollup/rollup_cube.h"

#include <algorithm>

namespace ntmis::national {
namespace {

constexpr int kKeyBits = 16;

// The group key of a cell: the `n` fields of `g` packed kKeyBits each, the
// first highest (see CubeCounts).
inline uint64_t GroupKey(int64_t cell, const CellField* g, int n) {
  uint64_t key = 0;
  for (int k = 0; k < n; ++k)
    key = key << kKeyBits |
          static_cast<uint64_t>((cell >> g[k].shift) & g[k].mask);
  return key;
}

// Positions [first, second) of a table's sorted cells.
using Slice = std::pair<size_t, size_t>;

// The scan, specialised on the number of group fields and of filters (up
// to two; more are checked in a loop) so the inner loop over the cell
// arrays has no loop over fields.
template <int kGroups, int kFilters>
void Scan(const RollupCube::Table& t, const CubeQuery& q,
          const std::vector<Slice>& slices, CubeCounts& out) {
  CellField g[4];
  for (int i = 0; i < kGroups; ++i) g[i] = q.group_by[i];
  const CellFilter* f[2] = {};
  for (int i = 0; i < kFilters; ++i) f[i] = &q.where[i];
  const size_t filters = q.where.size();
  // Neighbouring cells often share their group key (tables are sorted), so
  // the hash map is touched once per run of equal keys.
  uint64_t run_key = 0;
  uint64_t run_count = 0;
  auto visit = [&](int64_t cell, uint64_t count) {
    bool pass = true;
    for (int i = 0; i < kFilters; ++i)
      pass &=
          f[i]->allowed[(cell >> f[i]->field.shift) & f[i]->field.mask] != 0;
    for (size_t i = kFilters; i < filters; ++i) {
      const CellFilter& filter = q.where[i];
      pass &=
          filter.allowed[(cell >> filter.field.shift) & filter.field.mask] != 0;
    }
    if (!pass) return;
    const uint64_t key = GroupKey(cell, g, kGroups);
    if (key != run_key) {
      if (run_count) out[run_key] += run_count;
      run_key = key;
      run_count = 0;
    }
    run_count += count;
  };
  const int64_t* cells = t.cells.data();
  const uint32_t* counts = t.counts.data();
  for (const Slice& slice : slices)
    for (size_t i = slice.first; i < slice.second; ++i)
      if (counts[i] != 0) visit(cells[i], counts[i]);
  for (const auto& [cell, n] : t.fresh)
    if (n > 0) visit(cell, static_cast<uint64_t>(n));
  if (run_count) out[run_key] += run_count;
}

template <int kGroups>
void ScanWithGroups(const RollupCube::Table& t, const CubeQuery& q,
                    const std::vector<Slice>& slices, CubeCounts& out) {
  switch (q.where.size()) {
    case 0:
      return Scan<kGroups, 0>(t, q, slices, out);
    case 1:
      return Scan<kGroups, 1>(t, q, slices, out);
    default:
      return Scan<kGroups, 2>(t, q, slices, out);
  }
}

// Counts the cells of `t` (a view laid out as `layout`) that pass `q` (on
// rollup fields), reading only the ranges the filters admit. Where the
// ranges are exactly the admitted cells and `group_of` (the group of each
// sorted cell; `groups`: their grouped bits) is current, counts are summed
// per group in an array; otherwise each cell is checked and hashed.
void ScanTable(const RollupCube::Table& t, const ViewLayout& layout,
               const std::vector<uint32_t>& group_of,
               const std::vector<int64_t>& groups, bool groups_current,
               const CubeQuery& q, CubeCounts& out) {
  CubeQuery placed;
  for (const CellField& g : q.group_by)
    placed.group_by.push_back(layout.Place(g));
  for (const CellFilter& f : q.where)
    placed.where.push_back({layout.Place(f.field), f.allowed});
  auto scan = [&](const std::vector<Slice>& slices) {
    switch (placed.group_by.size()) {
      case 0:
        return ScanWithGroups<0>(t, placed, slices, out);
      case 1:
        return ScanWithGroups<1>(t, placed, slices, out);
      case 2:
        return ScanWithGroups<2>(t, placed, slices, out);
      case 3:
        return ScanWithGroups<3>(t, placed, slices, out);
      default:
        return ScanWithGroups<4>(t, placed, slices, out);
    }
  };
  std::vector<Slice> slices;
  bool exact = true;  // every cell of the slices passes the filters
  if (auto ranges = layout.Ranges(q.where)) {
    auto from = t.cells.begin();
    for (const auto& [lo, hi] : *ranges) {  // ascending
      from = std::lower_bound(from, t.cells.end(), lo);
      auto to = std::upper_bound(from, t.cells.end(), hi);
      if (to != from)
        slices.emplace_back(from - t.cells.begin(), to - t.cells.begin());
      from = to;
    }
  } else {
    slices.emplace_back(0, t.cells.size());
    exact = q.where.empty();
  }
  if (!exact || !groups_current) return scan(slices);
  std::vector<uint64_t> sums(groups.size());
  const uint32_t* group = group_of.data();
  const uint32_t* counts = t.counts.data();
  for (const Slice& slice : slices)
    for (size_t i = slice.first; i < slice.second; ++i)
      sums[group[i]] += counts[i];
  for (size_t g = 0; g < groups.size(); ++g) {
    if (sums[g] == 0) continue;
    out[GroupKey(groups[g], placed.group_by.data(),
                 static_cast<int>(placed.group_by.size()))] += sums[g];
  }
  scan({});  // the cells added since the last merge
}

// A table of `cells` (any order, merged by cell).
RollupCube::Table SortedTable(std::vector<std::pair<int64_t, int64_t>> cells) {
  std::sort(cells.begin(), cells.end());
  RollupCube::Table t;
  for (const auto& [cell, n] : cells) {
    if (n <= 0) continue;
    if (!t.cells.empty() && t.cells.back() == cell) {
      t.counts.back() += static_cast<uint32_t>(n);
      continue;
    }
    t.cells.push_back(cell);
    t.counts.push_back(static_cast<uint32_t>(n));
  }
  t.cells.shrink_to_fit();
  t.counts.shrink_to_fit();
  return t;
}

}  // namespace

void RollupCube::Table::Add(int64_t cell, int64_t delta) {
  if (delta == 0) return;
  auto it = std::lower_bound(cells.begin(), cells.end(), cell);
  if (it != cells.end() && *it == cell) {
    uint32_t& count = counts[it - cells.begin()];
    const bool was_empty = count == 0;
    count = static_cast<uint32_t>(std::max<int64_t>(0, int64_t{count} + delta));
    if (was_empty && count > 0) --empty_slots;
    if (!was_empty && count == 0) ++empty_slots;
  } else {
    int64_t& n = fresh[cell];
    n += delta;
    if (n <= 0) fresh.erase(cell);
  }
  if (fresh.size() > std::max<size_t>(4096, cells.size() / 8) ||
      (empty_slots > 4096 && empty_slots * 4 > cells.size())) {
    Merge();
  }
}

void RollupCube::Table::Merge() {
  // Only the fresh cells are sorted; the arrays are merged with them in
  // one pass, dropping empty cells.
  std::vector<std::pair<int64_t, int64_t>> added(fresh.begin(), fresh.end());
  std::sort(added.begin(), added.end());
  std::vector<int64_t> merged_cells;
  std::vector<uint32_t> merged_counts;
  merged_cells.reserve(cells.size() - empty_slots + added.size());
  merged_counts.reserve(merged_cells.capacity());
  size_t i = 0, k = 0;
  while (i < cells.size() || k < added.size()) {
    const bool take_old =
        k == added.size() || (i < cells.size() && cells[i] < added[k].first);
    const int64_t cell = take_old ? cells[i] : added[k].first;
    const int64_t n = take_old ? counts[i++] : added[k++].second;
    if (n <= 0) continue;
    merged_cells.push_back(cell);
    merged_counts.push_back(static_cast<uint32_t>(n));
  }
  cells.swap(merged_cells);
  counts.swap(merged_counts);
  fresh.clear();
  empty_slots = 0;
  ++merges;
}

void RollupCube::View::Regroup() {
  absl::flat_hash_map<int64_t, uint32_t> ids;
  groups.clear();
  group_of.resize(table.cells.size());
  for (size_t i = 0; i < table.cells.size(); ++i) {
    auto [it, fresh] = ids.try_emplace(table.cells[i] & grouped,
                                       static_cast<uint32_t>(groups.size()));
    if (fresh) groups.push_back(it->first);
    group_of[i] = it->second;
  }
  grouped_at_merge = table.merges;
}

void RollupCube::Reset(const std::vector<std::pair<int64_t, int64_t>>& cells) {
  Table full = SortedTable(cells);
  absl::MutexLock write(&write_mu_);
  full_ = std::move(full);
  absl::MutexLock lock(&views_mu_);
  views_.clear();
}

void RollupCube::Apply(
    const std::vector<std::pair<int64_t, int64_t>>& changes) {
  absl::MutexLock write(&write_mu_);
  for (const auto& [cell, d] : changes) full_.Add(cell, d);
  std::vector<std::shared_ptr<View>> views;
  {
    absl::ReaderMutexLock lock(&views_mu_);
    for (const auto& [name, view] : views_) views.push_back(view);
  }
  // Each view's changes are projected and summed before its lock is taken:
  // a batch of thousands of changes is a few hundred cells of a view.
  absl::flat_hash_map<int64_t, int64_t> projected;
  for (const auto& view : views) {
    projected.clear();
    for (const auto& [cell, d] : changes)
      projected[view->layout.Project(cell)] += d;
    absl::MutexLock lock(&view->mu);
    for (const auto& [cell, d] : projected) view->table.Add(cell, d);
    if (view->grouped_at_merge != view->table.merges) view->Regroup();
  }
}

RollupCube::ViewName RollupCube::NameOf(const CubeQuery& query) {
  int64_t filtered = 0, grouped = 0;
  for (const CellFilter& f : query.where)
    filtered |= f.field.mask << f.field.shift;
  for (const CellField& f : query.group_by) grouped |= f.mask << f.shift;
  return {filtered, grouped};
}

std::shared_ptr<RollupCube::View> RollupCube::FindView(
    const ViewName& name) const {
  absl::ReaderMutexLock lock(&views_mu_);
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : it->second;
}

std::shared_ptr<RollupCube::View> RollupCube::ViewFor(const ViewName& name,
                                                      const CubeQuery& query) {
  if (auto kept = FindView(name)) return kept;  // another query built it
  auto view = std::make_shared<View>();
  std::vector<CellField> filtered;
  for (const CellFilter& f : query.where) filtered.push_back(f.field);
  view->layout = ViewLayout(filtered, query.group_by);
  for (const CellField& g : query.group_by) {
    const CellField placed = view->layout.Place(g);
    view->grouped |= placed.mask << placed.shift;
  }
  const int64_t fields = view->layout.fields();
  // From the smallest table that keeps these fields.
  std::shared_ptr<View> source;
  {
    absl::ReaderMutexLock lock(&views_mu_);
    size_t smallest = full_.cells.size();
    for (const auto& [kept_name, kept] : views_) {
      absl::ReaderMutexLock view_lock(&kept->mu);
      if ((kept->layout.fields() & fields) == fields &&
          kept->table.cells.size() < smallest) {
        smallest = kept->table.cells.size();
        source = kept;
      }
    }
  }
  // Merged by hash first: a view has far fewer cells than its source, so
  // only the merged cells are sorted.
  absl::flat_hash_map<int64_t, int64_t> merged;
  if (source) {
    absl::ReaderMutexLock lock(&source->mu);
    const ViewLayout& from = source->layout;
    source->table.ForEach([&](int64_t cell, uint64_t n) {
      merged[view->layout.Project(from.Unproject(cell))] += n;
    });
  } else {
    full_.ForEach([&](int64_t cell, uint64_t n) {
      merged[view->layout.Project(cell)] += n;
    });
  }
  {
    absl::MutexLock lock(&view->mu);
    view->table = SortedTable({merged.begin(), merged.end()});
    view->Regroup();
  }
  view->last_used = ++clock_;
  absl::MutexLock lock(&views_mu_);
  if (views_.size() >= kMaxViews) {
    auto oldest = views_.begin();
    for (auto it = views_.begin(); it != views_.end(); ++it)
      if (it->second->last_used < oldest->second->last_used) oldest = it;
    views_.erase(oldest);
  }
  views_[name] = view;
  return view;
}

std::shared_ptr<RollupCube::View> RollupCube::ViewOf(const CubeQuery& query) {
  const ViewName name = NameOf(query);
  if (auto view = FindView(name)) return view;
  absl::MutexLock write(&write_mu_);
  return ViewFor(name, query);
}

void RollupCube::Count(const CubeQuery& query, CubeCounts& out) {
  std::shared_ptr<View> view = ViewOf(query);
  view->last_used = ++clock_;
  absl::ReaderMutexLock lock(&view->mu);
  ScanTable(view->table, view->layout, view->group_of, view->groups,
            view->grouped_at_merge == view->table.merges, query, out);
}

size_t RollupCube::views() const {
  absl::ReaderMutexLock lock(&views_mu_);
  return views_.size();
}

std::vector<std::pair<int64_t, int64_t>> RollupCube::Cells() const {
  absl::ReaderMutexLock lock(&write_mu_);
  std::vector<std::pair<int64_t, int64_t>> out;
  full_.ForEach([&](int64_t cell, uint64_t n) { out.emplace_back(cell, n); });
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t RollupCube::PackKey(const std::vector<int64_t>& values) {
  uint64_t key = 0;
  for (int64_t v : values) key = key << kKeyBits | static_cast<uint64_t>(v);
  return key;
}

std::vector<int64_t> RollupCube::UnpackKey(uint64_t key, size_t fields) {
  std::vector<int64_t> values(fields);
  for (size_t i = fields; i-- > 0;) {
    values[i] = static_cast<int64_t>(key & ((uint64_t{1} << kKeyBits) - 1));
    key >>= kKeyBits;
  }
  return values;
}

}  // namespace ntmis::national
