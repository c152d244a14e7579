// The national node's ingest without the network: N records applied to a
// province store in batches (first load, then the same records changed).
//
//   ntmis_national_apply_bench [N] [batch]
#include <chrono>
#include <iostream>

#include "national/province_db.h"
#include "provincial/generator.h"
#include "tests/test_support.h"

int main(int argc, char** argv) {
  using namespace ntmis;
  int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  int batch_size = argc > 2 ? std::atoi(argv[2]) : 2000;
  testing::TempDir dir;
  auto db = testing::ValueOrDie(national::ProvinceDb::Open(dir.File("p.db"), "44"));
  uint64_t seq = 1;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<v1::PushBatch> batches;
    for (int i = 0; i < n; i += batch_size) {
      v1::PushBatch batch;
      for (int k = i; k < std::min(n, i + batch_size); ++k) {
        v1::Change* c = batch.add_changes();
        c->set_seq(seq++);
        *c->mutable_record() = testing::SampleRecord(44, k + 1, k * 7 + pass);
        c->set_teacher_number(c->record().teacher_number());
      }
      batches.push_back(std::move(batch));
    }
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& b : batches) testing::ValueOrDie(db->Apply(b, 100000));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << (pass == 0 ? "first load " : "changes    ") << n << " records: " << s
              << " s, " << static_cast<int>(n / s) << " records/s\n";
  }
  return 0;
}
