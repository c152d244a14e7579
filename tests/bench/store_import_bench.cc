// Where import time goes: the teacher import straight into a province
// store (no network), dry run (parse + validate + look-ups) and real
// (plus inserts and outbox), for N generated rows.
//
//   ntmis_store_import_bench [N] [--drop INDEX]... [--real-only]
// --drop removes an index first, to measure in one sitting what keeping it
// costs the import (e.g. --drop teachers_name, the index of names).
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/import_support.h"

int main(int argc, char** argv) {
  using namespace ntmis::testing;
  int n = 100000;
  std::vector<std::string> drop;
  bool dry_run_too = true;
  size_t batch = 0;  // the import's default
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--drop" && i + 1 < argc) {
      drop.push_back(argv[++i]);
    } else if (arg == "--batch" && i + 1 < argc) {
      batch = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--real-only") {
      dry_run_too = false;
    } else {
      n = std::atoi(argv[i]);
    }
  }
  TempDir dir;
  auto store = ProvinceWithUnits(dir.File("p.db"), 44, n, 1);
  for (const std::string& index : drop)
    ValueOrDie(store.db().Prepare("DROP INDEX " + index)).Run().IgnoreError();
  std::string csv = SyntheticTeachers(44, n, 1);
  for (bool dry : {true, false}) {
    if (dry && !dry_run_too) continue;
    auto t0 = std::chrono::steady_clock::now();
    auto report = ImportTeachers(store, csv, dry, 1 << 16, batch);
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    std::cout << (dry ? "dry run " : "import  ") << report.rows_valid()
              << " rows: " << s << " s, " << static_cast<int>(n / s)
              << " rows/s\n";
  }
  return 0;
}
