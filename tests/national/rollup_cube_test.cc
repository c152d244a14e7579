// The in-memory rollup: after any sequence of committed changes (new cells,
// cells emptied, merges of fresh cells) every view answers what a count over
// a plain map of cells answers.
#include "national/rollup/rollup_cube.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>

namespace ntmis::national {
namespace {

TEST_CASE("The in-memory rollup and its views follow every change", "[cube]") {
  std::mt19937_64 rng(5);
  RollupCube cube;
  std::map<int64_t, int64_t> truth;
  // Cells of three 8-bit fields.
  auto random_cell = [&] {
    return static_cast<int64_t>((rng() % 40) << 16 | (rng() % 30) << 8 |
                                (rng() % 200));
  };
  const CellField a{16, 255}, b{8, 255}, c{0, 255};
  auto count_by = [&](const CubeQuery& q) {
    CubeCounts out;
    cube.Count(q, out);
    return std::map<uint64_t, uint64_t>(out.begin(), out.end());
  };
  auto expected_by = [&](const CubeQuery& q) {
    std::map<uint64_t, uint64_t> out;
    for (const auto& [cell, n] : truth) {
      if (n == 0) continue;
      bool pass = true;
      for (const auto& f : q.where)
        pass = pass && f.allowed[(cell >> f.field.shift) & f.field.mask];
      if (!pass) continue;
      std::vector<int64_t> key;
      for (const auto& g : q.group_by)
        key.push_back((cell >> g.shift) & g.mask);
      out[RollupCube::PackKey(key)] += n;
    }
    return out;
  };
  CellFilter b_small{b, std::vector<uint8_t>(256, 0)};
  for (int v = 0; v < 10; ++v) b_small.allowed[v] = 1;
  // Filters a view reads as ranges: scattered values and runs, on two
  // fields at once, and one that admits nothing.
  CellFilter a_some{a, std::vector<uint8_t>(256, 0)};
  for (int v : {3, 7, 8, 9, 30}) a_some.allowed[v] = 1;
  CellFilter c_runs{c, std::vector<uint8_t>(256, 0)};
  for (int v = 0; v < 200; ++v) c_runs.allowed[v] = (v / 10) % 3 == 0;
  CellFilter c_none{c, std::vector<uint8_t>(256, 0)};
  const std::vector<CubeQuery> queries = {{{a}, {}},
                                          {{b, c}, {}},
                                          {{a, b}, {b_small}},
                                          {{}, {b_small}},
                                          {{c, a, b}, {}},
                                          {{b}, {a_some, c_runs}},
                                          {{c}, {c_runs, b_small}},
                                          {{a}, {c_none}},
                                          {{b, a}, {a_some}}};
  for (int round = 0; round < 30; ++round) {
    // A batch: mostly new teachers early, then moves between cells.
    std::map<int64_t, int64_t> batch;
    for (int i = 0; i < 3000; ++i) {
      int64_t to = random_cell();
      ++batch[to];
      if (round > 5) {
        // Someone leaves a cell that has people.
        auto it = truth.lower_bound(random_cell());
        if (it == truth.end()) it = truth.begin();
        if (it->second + batch[it->first] > 0) --batch[it->first];
      }
    }
    for (const auto& [cell, d] : batch) truth[cell] += d;
    cube.Apply({batch.begin(), batch.end()});
    for (const CubeQuery& q : queries) CHECK(count_by(q) == expected_by(q));
  }
  std::vector<std::pair<int64_t, int64_t>> nonzero;
  for (const auto& [cell, n] : truth)
    if (n > 0) nonzero.emplace_back(cell, n);
  CHECK(cube.Cells() == nonzero);
  CHECK(cube.views() == queries.size());
  // A reset (after a rebuild) drops the views and starts from the cells given.
  cube.Reset(nonzero);
  CHECK(cube.views() == 0);
  CHECK(count_by(queries[1]) == expected_by(queries[1]));
}

}  // namespace
}  // namespace ntmis::national
