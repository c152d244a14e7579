// The national node's ingest without the network: N realistic records (the
// generator's teachers, checked by the provincial template rules) applied to
// a province store in batches; first load, then every record changed.
//
//   ntmis_national_apply_bench [N] [batch]
#include <chrono>
#include <iostream>

#include "national/ingest/national_store.h"
#include "tests/support/test_support.h"

namespace ntmis {
namespace {

std::vector<v1::TeacherRecord> Records(int n) {
  std::vector<v1::TeacherRecord> records;
  testing::ForEachSyntheticRecord(
      44, n, 9, [&](v1::TeacherRecord& r) { records.push_back(r); });
  return records;
}

}  // namespace
}  // namespace ntmis

int main(int argc, char** argv) {
  using namespace ntmis;
  int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  int batch_size = argc > 2 ? std::atoi(argv[2]) : 10000;
  std::vector<v1::TeacherRecord> records = Records(n);
  testing::TempDir dir;
  auto store = testing::ValueOrDie(national::NationalStore::Open(dir.path()));
  national::ProvinceDb* db =
      testing::ValueOrDie(store->Province("44", /*create=*/true));
  uint64_t seq = 1;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<v1::PushBatch> batches;
    for (int i = 0; i < n; i += batch_size) {
      v1::PushBatch batch;
      for (int k = i; k < std::min(n, i + batch_size); ++k) {
        v1::Change* c = batch.add_changes();
        c->set_seq(seq++);
        // The second pass moves every teacher to another teacher's cell.
        *c->mutable_record() = records[pass == 0 ? k : (k + 7919) % n];
        c->mutable_record()->set_teacher_number(records[k].teacher_number());
        c->mutable_record()->set_id_hash(records[k].id_hash());
        c->set_teacher_number(records[k].teacher_number());
      }
      batches.push_back(std::move(batch));
    }
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& b : batches) testing::ValueOrDie(db->Apply(b, 100000));
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    std::cout << (pass == 0 ? "first load " : "changes    ") << n
              << " records: " << s << " s, " << static_cast<int>(n / s)
              << " records/s\n";
  }
  return 0;
}
