#include "national/rollup_cube.h"

#include <algorithm>

namespace ntmis::national {
namespace {

constexpr int kKeyBits = 16;

// The scan, specialised on the number of group fields so the inner loop
// has no loop over fields.
template <int kGroups>
void Scan(const RollupCube::Table& t, const CubeQuery& q, CubeCounts& out) {
  CellField g[4];
  for (int i = 0; i < kGroups; ++i) g[i] = q.group_by[i];
  const size_t filters = q.where.size();
  // Neighbouring cells often share their group key (tables are sorted), so
  // the hash map is touched once per run of equal keys.
  uint64_t run_key = 0;
  uint64_t run_count = 0;
  t.ForEach([&](int64_t cell, uint64_t count) {
    for (size_t f = 0; f < filters; ++f) {
      const CellFilter& filter = q.where[f];
      if (!filter.allowed[(cell >> filter.field.shift) & filter.field.mask]) return;
    }
    uint64_t key = 0;
    for (int k = 0; k < kGroups; ++k)
      key = key << kKeyBits | static_cast<uint64_t>((cell >> g[k].shift) & g[k].mask);
    if (key != run_key) {
      if (run_count) out[run_key] += run_count;
      run_key = key;
      run_count = 0;
    }
    run_count += count;
  });
  if (run_count) out[run_key] += run_count;
}

void ScanTable(const RollupCube::Table& t, const CubeQuery& q, CubeCounts& out) {
  switch (q.group_by.size()) {
    case 0: return Scan<0>(t, q, out);
    case 1: return Scan<1>(t, q, out);
    case 2: return Scan<2>(t, q, out);
    case 3: return Scan<3>(t, q, out);
    default: return Scan<4>(t, q, out);
  }
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
    const bool take_old = k == added.size() || (i < cells.size() && cells[i] < added[k].first);
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
}

void RollupCube::Reset(const std::vector<std::pair<int64_t, int64_t>>& cells) {
  Table full = SortedTable(cells);
  absl::MutexLock write(&write_mu_);
  full_ = std::move(full);
  absl::MutexLock lock(&views_mu_);
  views_.clear();
}

void RollupCube::Apply(const std::vector<std::pair<int64_t, int64_t>>& changes) {
  absl::MutexLock write(&write_mu_);
  for (const auto& [cell, d] : changes) full_.Add(cell, d);
  std::vector<std::pair<int64_t, std::shared_ptr<View>>> views;
  {
    absl::ReaderMutexLock lock(&views_mu_);
    views.assign(views_.begin(), views_.end());
  }
  // Each view's changes are projected and summed before its lock is taken:
  // a batch of thousands of changes is a few hundred cells of a view.
  absl::flat_hash_map<int64_t, int64_t> projected;
  for (const auto& [fields, view] : views) {
    projected.clear();
    for (const auto& [cell, d] : changes) projected[cell & fields] += d;
    absl::MutexLock lock(&view->mu);
    for (const auto& [cell, d] : projected) view->table.Add(cell, d);
  }
}

std::shared_ptr<RollupCube::View> RollupCube::FindView(int64_t fields) const {
  absl::ReaderMutexLock lock(&views_mu_);
  auto it = views_.find(fields);
  return it == views_.end() ? nullptr : it->second;
}

std::shared_ptr<RollupCube::View> RollupCube::ViewFor(int64_t fields) {
  if (auto kept = FindView(fields)) return kept;  // another query built it
  // From the smallest table whose fields include these.
  std::shared_ptr<View> source;
  {
    absl::ReaderMutexLock lock(&views_mu_);
    size_t smallest = full_.cells.size();
    for (const auto& [mask, view] : views_) {
      absl::ReaderMutexLock view_lock(&view->mu);
      if ((mask & fields) == fields && view->table.cells.size() < smallest) {
        smallest = view->table.cells.size();
        source = view;
      }
    }
  }
  // Merged by hash first: a view has far fewer cells than its source, so
  // only the merged cells are sorted.
  absl::flat_hash_map<int64_t, int64_t> merged;
  auto add = [&](int64_t cell, uint64_t n) { merged[cell & fields] += n; };
  if (source) {
    absl::ReaderMutexLock lock(&source->mu);
    source->table.ForEach(add);
  } else {
    full_.ForEach(add);
  }
  auto view = std::make_shared<View>();
  {
    absl::MutexLock lock(&view->mu);
    view->table = SortedTable({merged.begin(), merged.end()});
  }
  view->last_used = ++clock_;
  absl::MutexLock lock(&views_mu_);
  if (views_.size() >= kMaxViews) {
    auto oldest = views_.begin();
    for (auto it = views_.begin(); it != views_.end(); ++it)
      if (it->second->last_used < oldest->second->last_used) oldest = it;
    views_.erase(oldest);
  }
  views_[fields] = view;
  return view;
}

void RollupCube::Count(const CubeQuery& query, CubeCounts& out) {
  int64_t fields = 0;
  for (const CellField& f : query.group_by) fields |= f.mask << f.shift;
  for (const CellFilter& f : query.where) fields |= f.field.mask << f.field.shift;
  std::shared_ptr<View> view = FindView(fields);
  if (!view) {
    absl::MutexLock write(&write_mu_);
    view = ViewFor(fields);
  }
  view->last_used = ++clock_;
  absl::ReaderMutexLock lock(&view->mu);
  ScanTable(view->table, query, out);
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
