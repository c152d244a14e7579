// The national node's ingest without the network: N realistic records (the
// generator's teachers, checked by the provincial template rules) applied to
// a province store in batches; first load, then every record changed.
//
//   ntmis_national_apply_bench [N] [batch]
#include <chrono>
#include <iostream>

#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/teacher_number.h"
#include "national/national_store.h"
#include "provincial/generator.h"
#include "provincial/teacher_template.h"
#include "tests/test_support.h"

namespace ntmis {
namespace {

std::vector<v1::TeacherRecord> Records(int n) {
  provincial::SyntheticProvince gen(44, n, 9);
  absl::flat_hash_map<std::string, provincial::SchoolPlace> schools;
  absl::flat_hash_map<std::string, std::string> parent;
  for (const auto& u : gen.units()) parent[u.code] = u.parent_code;
  for (const auto& u : gen.units()) {
    if (u.level == provincial::UnitLevel::kSchool)
      schools[u.code] = {parent[u.parent_code], u.parent_code, u.school_category};
  }
  std::string csv;
  gen.WriteTeachersCsv([&csv](const std::string& chunk) { csv += chunk; });
  CsvReader reader;
  reader.Feed(csv);
  reader.Finish();
  CsvRecord row;
  reader.Next(&row);  // header, in template order
  provincial::ColumnIndex index;
  for (size_t i = 0; i < row.fields.size(); ++i) index.push_back(i);
  crypto::Hmac hasher(std::string(32, 'k'));
  provincial::ParsedTeacher parsed;
  std::vector<v1::TeacherRecord> records;
  while (reader.Next(&row) == CsvReader::Result::kRecord) {
    provincial::RowProblems problems(row.row);
    if (!provincial::ParseTeacherRow(row.fields, index, 44, schools, hasher, &parsed, problems))
      std::abort();
    parsed.record.set_teacher_number(MintTeacherNumber(44, records.size() + 1));
    records.push_back(parsed.record);
  }
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
  national::ProvinceDb* db = testing::ValueOrDie(store->Province("44", /*create=*/true));
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
        c->set_teacher_number(records[k].teacher_number());
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
