// Where import time goes: the teacher import straight into a province
// store (no network), dry run (parse + validate + look-ups) and real
// (plus inserts and outbox), for N generated rows.
//
//   ntmis_store_import_bench [N] [--without-name-index]
// The flag drops the index of names first (what a list search by name
// costs the import, measured in one sitting).
#include <chrono>
#include <iostream>
#include <string>

#include "tests/support/import_support.h"

int main(int argc, char** argv) {
  using namespace ntmis::testing;
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  TempDir dir;
  auto store = ProvinceWithUnits(dir.File("p.db"), 44, n, 1);
  if (argc > 2 && std::string(argv[2]) == "--without-name-index")
    ValueOrDie(store.db().Prepare("DROP INDEX teachers_name"))
        .Run()
        .IgnoreError();
  std::string csv = SyntheticTeachers(44, n, 1);
  for (bool dry : {true, false}) {
    auto t0 = std::chrono::steady_clock::now();
    auto report = ImportTeachers(store, csv, dry);
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    std::cout << (dry ? "dry run " : "import  ") << report.rows_valid()
              << " rows: " << s << " s, " << static_cast<int>(n / s)
              << " rows/s\n";
  }
  return 0;
}
