// End to end in one process: real national and provincial servers with real
// certificates on localhost:0; import through the API, sync over mutual TLS,
// query as an operator, and compare with counts made from the CSV itself.
#include <atomic>
#include <catch2/catch.hpp>
#include <ctime>
#include <map>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "common/rpc/grpc_status.h"
#include "common/tables/csv.h"
#include "national/query/report_format.h"
#include "national/rpc/sync_service.h"
#include "provincial/core/accounts.h"
#include "provincial/tools/generator.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

using Counts = std::map<std::vector<std::string>, uint64_t>;

// Independent counts from a teacher CSV: by school category and by title.
struct CsvCounts {
  Counts by_category;
  Counts by_title;
  uint64_t female = 0;
  uint64_t total = 0;
};

CsvCounts CountCsv(const std::string& province, const std::string& csv,
                   uint64_t count, uint64_t seed) {
  provincial::SyntheticProvince gen(std::stoi(province), count, seed);
  absl::flat_hash_map<std::string, std::string> category;
  for (const auto& u : gen.units())
    if (u.level == provincial::UnitLevel::kSchool)
      category[u.code] = std::to_string(u.school_category);
  CsvReader reader;
  reader.Feed(csv);
  reader.Finish();
  CsvRecord r;
  CsvCounts counts;
  bool header = true;
  while (reader.Next(&r) == CsvReader::Result::kRecord) {
    if (header) {
      header = false;
      continue;
    }
    ++counts.by_category[{province, category[r.fields[10]]}];
    ++counts.by_title[{province, r.fields[14]}];
    counts.female += r.fields[1] == "2";
    ++counts.total;
  }
  return counts;
}

v1::AggregateResponse Query(
    Federation& f, const std::vector<std::string>& by,
    const std::vector<std::pair<std::string, std::string>>& where = {}) {
  auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::AggregateRequest request;
  for (const auto& d : by) request.add_group_by(d);
  for (const auto& [dim, values] : where) {
    v1::Filter* filter = request.add_where();
    filter->set_dimension(dim);
    for (absl::string_view v : absl::StrSplit(values, ','))
      filter->add_values(std::string(v));
  }
  v1::AggregateResponse response;
  grpc::Status status = stub->Aggregate(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  return response;
}

// Rows as {keys without leading zeros} -> count.
Counts AsCounts(const v1::AggregateResponse& response) {
  Counts counts;
  for (const national::AnswerRow& row : national::AnswerRows(response)) {
    std::vector<std::string> keys;
    for (const auto& k : row.codes)
      keys.push_back(std::to_string(std::stoi(k)));
    counts[keys] += row.teachers;
  }
  return counts;
}

TEST_CASE("Provinces sync to the national node and aggregates equal the data",
          "[e2e]") {
  Federation f;
  f.AddProvince("44");
  f.AddProvince("11");
  std::string csv44 = f.LoadSynthetic("44", 1500, 11);
  std::string csv11 = f.LoadSynthetic("11", 700, 12);

  auto r44 = ValueOrDie(f.Sync("44"));
  CHECK(r44.cursor_before == 0);
  CHECK(r44.sent == 1500);
  CHECK(r44.applied == 1500);
  CHECK(r44.cursor_after == 1500);
  CHECK(r44.rejections.empty());
  CHECK(ValueOrDie(f.Sync("11")).applied == 700);

  // A second sync sends nothing.
  auto again = ValueOrDie(f.Sync("44"));
  CHECK(again.sent == 0);
  CHECK(again.cursor_before == 1500);
  CHECK(again.cursor_after == 1500);

  CsvCounts c44 = CountCsv("44", csv44, 1500, 11);
  CsvCounts c11 = CountCsv("11", csv11, 700, 12);
  Counts expected_category = c44.by_category, expected_title = c44.by_title;
  for (auto& [k, v] : c11.by_category) expected_category[k] += v;
  for (auto& [k, v] : c11.by_title) expected_title[k] += v;

  v1::AggregateResponse by_category = Query(f, {"province", "school_category"});
  CHECK(by_category.total() == 2200);
  CHECK(AsCounts(by_category) == expected_category);
  CHECK(national::AnswerRows(by_category)[0].labels[0] == "北京市");
  CHECK(AsCounts(Query(f, {"province", "title"})) == expected_title);

  // Filters and drill-down: cities of Guangdong sum to Guangdong.
  v1::AggregateResponse female = Query(f, {"province"}, {{"gender", "2"}});
  CHECK(AsCounts(female) == Counts{{{"11"}, c11.female}, {{"44"}, c44.female}});
  v1::AggregateResponse cities = Query(f, {"city"}, {{"province", "44"}});
  uint64_t sum = 0;
  const auto city_rows = national::AnswerRows(cities);
  for (const auto& row : city_rows) {
    CHECK(row.codes[0].substr(0, 2) == "44");
    sum += row.teachers;
  }
  CHECK(sum == 1500);
  v1::AggregateResponse counties =
      Query(f, {"county"}, {{"city", city_rows[0].codes[0]}});
  uint64_t county_sum = 0;
  for (const auto& row : national::AnswerRows(counties))
    county_sum += row.teachers;
  CHECK(county_sum == city_rows[0].teachers);

  // City filters across provinces pick exactly the cities named.
  std::map<std::string, uint64_t> all_cities;
  v1::AggregateResponse by_city = Query(f, {"city"});
  for (const auto& row : national::AnswerRows(by_city))
    all_cities[row.codes[0]] = row.teachers;
  REQUIRE(all_cities.count("4401"));
  REQUIRE(all_cities.count("1102"));
  v1::AggregateResponse two = Query(f, {"city"}, {{"city", "4401,1102"}});
  const auto two_rows = national::AnswerRows(two);
  REQUIRE(two_rows.size() == 2);
  CHECK(two_rows[0].codes[0] == "1102");
  CHECK(two_rows[1].codes[0] == "4401");
  CHECK(two.total() == all_cities["4401"] + all_cities["1102"]);

  // Province health.
  auto stub = f.QueryStub(PeerIdentity::Operator("tester"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ProvincesResponse health;
  REQUIRE(stub->Provinces(&context, {}, &health).ok());
  REQUIRE(health.provinces_size() == 32);
  std::map<std::string, v1::ProvinceHealth> by_code;
  for (const auto& p : health.provinces()) by_code[p.province()] = p;
  CHECK(by_code["44"].records_held() == 1500);
  CHECK(by_code["44"].applied_seq() == 1500);
  CHECK(by_code["44"].last_result() == "ok");
  CHECK(by_code["11"].records_held() == 700);
  CHECK(by_code["12"].last_result() == "never synced");
}

TEST_CASE(
    "More provinces push at once than the national node holds batches and "
    "every record lands",
    "[e2e][concurrency]") {
  // Each push batch holds a slot of the node's limit from before it is read
  // until it is applied (national/rpc/push_reader.h): more streams than
  // slots, each of many batches, must all complete, exactly once.
  const char* codes[] = {"11", "12", "13", "14", "15", "21", "22", "23",
                         "31", "32", "33", "34", "35", "36", "37", "41"};
  const int provinces = std::min<int>(
      std::size(codes), national::SyncService::BatchesInMemory() + 2);
  constexpr uint64_t kEach = 300;
  Federation f;
  for (int p = 0; p < provinces; ++p) {
    f.AddProvince(codes[p]);
    f.LoadSynthetic(codes[p], kEach, 40 + p);
  }
  provincial::SyncOptions small;
  small.batch_size = 40;  // 8 batches a province
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<provincial::SyncReport>> reports(provinces);
  for (int p = 0; p < provinces; ++p)
    threads.emplace_back([&, p] { reports[p] = f.Sync(codes[p], small); });
  for (auto& t : threads) t.join();
  for (int p = 0; p < provinces; ++p) {
    INFO("province " << codes[p]);
    REQUIRE(reports[p].ok());
    CHECK(reports[p]->applied == kEach);
    CHECK(reports[p]->rejections.empty());
  }
  CHECK(Query(f, {"province"}).total() == provinces * kEach);
  // Nothing is left to send, and nothing is applied twice.
  for (int p = 0; p < provinces; ++p)
    CHECK(ValueOrDie(f.Sync(codes[p])).sent == 0);
  CHECK(Query(f, {"province"}).total() == provinces * kEach);
}

TEST_CASE("A sync cut mid-stream resumes with exact counts", "[e2e][fault]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 3000, 21);
  provincial::SyncOptions cut;
  cut.batch_size = 100;
  cut.window = 4;
  int acks = 0;
  cut.on_ack = [&acks](const v1::PushAck&) { return ++acks < 5; };
  auto first = f.Sync("44", cut);
  CHECK(absl::IsCancelled(first.status()));

  auto db = ValueOrDie(f.national().store().Province("44", false));
  national::ProvinceState after_cut = ValueOrDie(db->State());
  // Acknowledged batches are committed; in-flight ones may be too, whole.
  CHECK(after_cut.applied_seq >= 500);
  CHECK(after_cut.applied_seq % 100 == 0);
  CHECK(after_cut.applied_seq < 3000);
  CHECK(after_cut.records == after_cut.applied_seq);
  // The health view knows how far behind the province's own outbox it is.
  CHECK(after_cut.outbox_end == 3000);

  // The national node may still commit batches it had read when the cut
  // came; the resumed sync starts from wherever its cursor then stands.
  auto resumed = ValueOrDie(f.Sync("44"));
  CHECK(resumed.cursor_before >= after_cut.applied_seq);
  CHECK(resumed.cursor_before % 100 == 0);
  CHECK(resumed.sent == 3000 - resumed.cursor_before);
  CHECK(resumed.cursor_after == 3000);
  CHECK(ValueOrDie(db->State()).records == 3000);
  CHECK(Query(f, {}).total() == 3000);
  auto health = [&] {
    return ValueOrDie(national::ProvinceHealth(f.national().store(),
                                               std::time(nullptr), 3600));
  };
  auto guangdong = [](const v1::ProvincesResponse& r) {
    for (const auto& p : r.provinces())
      if (p.province() == "44") return p;
    return v1::ProvinceHealth();
  };
  v1::ProvinceHealth p = guangdong(health());
  CHECK(p.behind() == 0);
  CHECK(p.records_held() == 3000);
  CHECK_FALSE(p.overdue());
  CHECK(p.catalog_version() == 1);
  CHECK(p.verified_unix() == 0);  // never verified yet
  // Every other province has never synced: overdue.
  int overdue = 0;
  const v1::ProvincesResponse all = health();
  for (const auto& other : all.provinces()) overdue += other.overdue();
  CHECK(overdue == 31);
  // A verify's outcome reaches the health view at once.
  auto verified = ValueOrDie(f.Verify("44"));
  CHECK(verified.agreed);
  p = guangdong(health());
  CHECK(p.verified_unix() > 0);
  CHECK(p.verify_differing() == 0);
  // Overdue once the last success is older than the expected interval.
  CHECK(guangdong(ValueOrDie(national::ProvinceHealth(
                      f.national().store(), std::time(nullptr) + 7200, 3600)))
            .overdue());
}

TEST_CASE("The national node killed mid-sync comes back and sync completes",
          "[e2e][fault]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 2000, 31);
  provincial::SyncOptions stop;
  stop.batch_size = 100;
  int acks = 0;
  stop.on_ack = [&](const v1::PushAck&) {
    if (++acks == 3) f.StopNational();
    return true;
  };
  auto first = f.Sync("44", stop);
  CHECK_FALSE(first.ok());
  f.StartNational();
  auto resumed = ValueOrDie(f.Sync("44"));
  CHECK(resumed.cursor_before >= 300);
  CHECK(resumed.cursor_after == 2000);
  CHECK(resumed.sent == 2000 - resumed.cursor_before);
  auto db = ValueOrDie(f.national().store().Province("44", false));
  CHECK(ValueOrDie(db->State()).records == 2000);
  CHECK(Query(f, {"gender"}).total() == 2000);
}

TEST_CASE("A serving province syncs by itself on its schedule",
          "[e2e][schedule]") {
  Federation f;
  f.AddProvince("44", /*sync_interval_seconds=*/1);
  f.LoadSynthetic("44", 500, 41);
  national::ProvinceDb* db = nullptr;
  uint64_t held = 0;
  for (int i = 0; i < 100 && held < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (db == nullptr) {
      auto found = f.national().store().Province("44", false);
      if (found.ok()) db = *found;
    }
    if (db != nullptr) held = ValueOrDie(db->State()).records;
  }
  CHECK(held == 500);
  // A manual sync meanwhile either finds nothing to send or is told that
  // the scheduled one holds the lock; it never runs alongside it.
  auto manual = f.Sync("44");
  if (manual.ok()) {
    CHECK(manual->sent == 0);
  } else {
    CHECK(absl::IsAborted(manual.status()));
  }
}

TEST_CASE("Operators see the sync backlog and can sync now through the API",
          "[e2e][schedule]") {
  Federation f;
  f.AddProvince("44");  // scheduled sync off: only the API call syncs
  f.LoadSynthetic("44", 300, 51);
  auto admin = f.Admin("44");
  v1::SyncHealth before = ValueOrDie(admin->GetSyncHealth());
  CHECK_FALSE(before.scheduled());
  CHECK(before.outbox_seq() == 300);
  CHECK(before.backlog() == 300);
  CHECK(before.last_attempt_unix() == 0);

  v1::SyncNowResponse done =
      ValueOrDie(admin->SyncNow(std::chrono::seconds(60)));
  CHECK(done.sent() == 300);
  CHECK(done.cursor_after() == 300);
  CHECK(done.health().backlog() == 0);
  CHECK(done.health().last_success_unix() > 0);
  CHECK(done.health().last_error().empty());

  // A querier may not: sync is for system administrators and information
  // managers of the province.
  {
    provincial::Store store =
        ValueOrDie(provincial::Store::Open(f.province("44").database()));
    provincial::Accounts accounts(store);
    ValueOrDie(accounts.Create("viewer", "44", provincial::Role::kQuerier,
                               kAdminPassword, false));
  }
  auto viewer = ValueOrDie(provincial::ApiClient::Connect(
      f.province_address("44"), f.pki().ca_cert()));
  NTMIS_ASSERT_OK(viewer->Login("viewer", kAdminPassword));
  CHECK(absl::IsPermissionDenied(
      viewer->SyncNow(std::chrono::seconds(10)).status()));
}

}  // namespace
}  // namespace ntmis::testing
