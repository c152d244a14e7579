// National reference data: the school registry is published all or
// nothing, and every sync pulls exactly what changed for the province
// (paged, resumable); provinces see the national catalog version, and the
// national health view shows who lags.
#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sql/sqlite.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/code_tables.h"
#include "national/rpc/query_service.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

int64_t Count(Federation& f, const std::string& code, const std::string& sql) {
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.province(code).database()));
  return ValueOrDie(db.QueryInt(sql));
}

v1::ProvinceHealth NationalView(Federation& f, const std::string& code,
                                uint64_t* latest) {
  auto all = ValueOrDie(
      national::ProvinceHealth(f.national().store(), std::time(nullptr), 3600));
  *latest = all.school_registry_version();
  for (const auto& p : all.provinces())
    if (p.province() == code) return p;
  return {};
}

TEST_CASE(
    "The school registry is published whole and each sync pulls what changed",
    "[reference]") {
  Federation f;
  f.AddProvince("44");
  national::SchoolRegistry& registry = f.national().store().schools();

  // Bad files change nothing and say row, column, value and rule.
  auto bad =
      ValueOrDie(registry.Import("code,name,county_code,school_category\n"
                                 "4401010001,第一小学,440101,2\n"
                                 "44010100x1,第二小学,440101,2\n"
                                 "4401010003,第三小学,990101,2\n"
                                 "4401010001,重复,440101,2\n"
                                 "4401010004,第四小学,440101,42\n"));
  REQUIRE(bad.problems.size() == 4);
  CHECK(bad.problems[0].row() == 3);
  CHECK(bad.problems[0].column() == "code");
  CHECK(bad.problems[1].column() == "county_code");
  CHECK_THAT(bad.problems[2].rule(), Catch::Contains("重复：第 2 行"));
  CHECK(bad.problems[3].column() == "school_category");
  auto missing = ValueOrDie(registry.Import("code,name\n4401010001,x\n"));
  REQUIRE_FALSE(missing.problems.empty());
  CHECK(missing.problems[0].rule() == "表头缺少这一必需的列");
  CHECK(ValueOrDie(registry.Version()) == 0);

  // Version 1 (GB18030 is read as well as UTF-8): two Guangdong schools, one
  // Jiangsu.
  auto v1 = ValueOrDie(
      registry.Import(ToGb18030("code,name,county_code,school_category,closed\n"
                                "4401010001,广州市第一小学,440101,2,0\n"
                                "4401010002,广州市第二小学,440101,2,0\n"
                                "3201010001,南京市第一小学,320101,2,0\n")));
  REQUIRE(v1.problems.empty());
  CHECK(v1.version == 1);
  CHECK(v1.changed == 3);
  f.LoadSynthetic("44", 20, 1);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(Count(f, "44", "SELECT COUNT(*) FROM school_registry") == 2);
  CHECK(Count(f, "44",
              "SELECT COUNT(*) FROM school_registry WHERE name = "
              "'广州市第一小学'") == 1);

  // The national view: Guangdong has version 1 of 1 (the hello of its next
  // sync tells); the catalog is reported to the province.
  NTMIS_ASSERT_OK(f.Sync("44").status());
  uint64_t latest = 0;
  CHECK(NationalView(f, "44", &latest).school_registry_version() == 1);
  CHECK(latest == 1);
  auto health = ValueOrDie(f.Admin("44")->GetSyncHealth());
  CHECK(health.national_catalog_version() == 1);
  CHECK(health.school_registry_version() == 1);
  CHECK(health.registry_schools() == 2);

  // Version 2: one renamed, one closed, 12,000 new (more than a page, all
  // of one version), one unchanged: only the changes travel.
  std::string csv =
      "code,name,county_code,school_category,closed\n"
      "4401010001,广州市第一实验小学,440101,2,0\n"
      "4401010002,广州市第二小学,440101,2,1\n"
      "3201010001,南京市第一小学,320101,2,0\n";
  for (int i = 0; i < 12000; ++i)
    absl::StrAppend(
        &csv, absl::StrFormat("44010%05d,学校%d,440102,2,\n", 20000 + i, i));
  auto v2 = ValueOrDie(registry.Import(csv));
  REQUIRE(v2.problems.empty());
  CHECK(v2.version == 2);
  CHECK(v2.changed == 12002);
  CHECK(NationalView(f, "44", &latest).school_registry_version() == 1);
  CHECK(latest == 2);  // Guangdong lags until its next sync
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(Count(f, "44", "SELECT COUNT(*) FROM school_registry") == 12002);
  CHECK(Count(f, "44",
              "SELECT closed FROM school_registry WHERE code = '4401010002'") ==
        1);
  CHECK(Count(f, "44",
              "SELECT COUNT(*) FROM school_registry WHERE name = "
              "'广州市第一实验小学'") == 1);
  CHECK(ValueOrDie(f.Admin("44")->GetSyncHealth()).school_registry_version() ==
        2);
  CHECK(ValueOrDie(f.Admin("44")->GetSyncHealth())
            .national_codes_missing()
            .empty());

  // A build with other code tables is sent the national ones (to name what
  // it lacks); the same build is not.
  auto pull = [&](const std::string& fingerprint) {
    auto stub = f.SyncStub(PeerIdentity::Province("44"));
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PullReferenceRequest r;
    r.set_school_registry_version(2);
    r.set_code_tables_fingerprint(fingerprint);
    v1::ReferenceData data;
    REQUIRE(stub->PullReference(&c, r, &data).ok());
    return data;
  };
  CHECK(pull(CodeTablesFingerprint()).code_tables_size() == 0);
  v1::ReferenceData older = pull("0000000000000000");
  CHECK(older.code_tables_fingerprint() == CodeTablesFingerprint());
  bool title = false;
  for (const auto& e : older.code_tables())
    title = title || (e.table() == "title_level" && e.code() == 3 &&
                      e.label() == "中级");
  CHECK(title);
  CHECK(older.schools_size() == 0);  // version 2 is what it has

  // Re-importing the same file changes nothing and makes no new version.
  auto again = ValueOrDie(registry.Import(csv));
  CHECK(again.changed == 0);
  CHECK(again.version == 2);
}

TEST_CASE(
    "A broken registry record is skipped and reported on both sides and the "
    "sync goes on",
    "[reference]") {
  Federation f;
  f.AddProvince("44");
  national::SchoolRegistry& registry = f.national().store().schools();
  REQUIRE(ValueOrDie(
              registry.Import("code,name,county_code,school_category,closed\n"
                              "4401010001,广州市第一小学,440101,2,0\n"))
              .problems.empty());
  f.LoadSynthetic("44", 20, 1);
  NTMIS_ASSERT_OK(f.Sync("44").status());

  // Records stored before the rules existed: a GB18030 name and a name of
  // 10 MB (each once broke every sync of the province), beside a good one.
  {
    sql::Database db =
        ValueOrDie(sql::Database::Open(f.national_data_dir() + "/national.db"));
    NTMIS_ASSERT_OK(
        db.Exec("INSERT INTO schools VALUES ('4401010008', x'B9E3D6DD', '44', "
                "'440101', 2, 0, 2);"
                "INSERT INTO schools VALUES ('4401010009', zeroblob(10485760), "
                "'44', '440101', 2, 0, 2);"
                "INSERT INTO schools VALUES ('4401010010', '广州市第十小学', "
                "'44', '440101', 2, 0, 2);"));
  }
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(
      Count(f, "44",
            "SELECT COUNT(*) FROM school_registry WHERE code = '4401010010'") ==
      1);
  CHECK(Count(f, "44",
              "SELECT COUNT(*) FROM school_registry WHERE code IN "
              "('4401010008', '4401010009')") == 0);
  v1::SyncHealth health = ValueOrDie(f.Admin("44")->GetSyncHealth());
  REQUIRE(health.reference_skipped_size() == 2);
  CHECK_THAT(health.reference_skipped(0), Catch::Contains("4401010008"));
  CHECK_THAT(health.reference_skipped(1), Catch::Contains("4401010009"));
  for (const std::string& line : health.reference_skipped()) {
    CHECK(IsValidUtf8(line));
    CHECK(line.size() < 1000);  // said, not echoed
  }
  f.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.national_data_dir() + "/national.db"));
  CHECK(ValueOrDie(db.QueryInt(
            "SELECT COUNT(*) FROM audit WHERE action = 'sync.reference' "
            "AND result = 'SKIPPED' AND detail LIKE '%4401010009%'")) >= 1);
}

}  // namespace
}  // namespace ntmis::testing
