// The national province store: batch rules, idempotence, rejections and
// rollups that always equal a recount.
#include <catch2/catch.hpp>
#include <random>

#include "absl/strings/str_cat.h"
#include "national/ingest/national_store.h"
#include "tests/support/test_support.h"

namespace ntmis::national {
namespace {

using testing::SampleRecord;
using testing::TempDir;
using testing::ValueOrDie;

v1::PushBatch Batch(uint64_t first,
                    const std::vector<v1::TeacherRecord>& records) {
  v1::PushBatch batch;
  uint64_t seq = first;
  for (const auto& r : records) {
    v1::Change* c = batch.add_changes();
    c->set_seq(seq++);
    c->set_teacher_number(r.teacher_number());
    *c->mutable_record() = r;
  }
  return batch;
}

// Teacher counts per rollup cell: from the rollup table, and recounted from
// the stored records themselves.
std::map<int64_t, int64_t> RollupCells(sql::Database& db) {
  auto s = ValueOrDie(db.Prepare("SELECT cell, teachers FROM rollup"));
  std::map<int64_t, int64_t> cells;
  while (ValueOrDie(s.Step())) cells[s.ColumnInt(0)] = s.ColumnInt(1);
  return cells;
}

std::map<int64_t, int64_t> Recount(sql::Database& db) {
  auto s = ValueOrDie(db.Prepare("SELECT record FROM teachers"));
  std::map<int64_t, int64_t> cells;
  v1::TeacherRecord r;
  while (ValueOrDie(s.Step())) {
    REQUIRE(r.ParseFromString(std::string(s.ColumnBlob(0))));
    ++cells[CellOf(r)];
  }
  return cells;
}

TEST_CASE("Batches apply once and duplicates or stale retries change nothing",
          "[national]") {
  TempDir dir;
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  ProvinceDb* db = ValueOrDie(store->Province("44", /*create=*/true));
  std::vector<v1::TeacherRecord> r;
  for (int i = 1; i <= 5; ++i) r.push_back(SampleRecord(44, i, i));

  v1::PushAck ack = ValueOrDie(db->Apply(Batch(1, {r[0], r[1], r[2]}), 100));
  CHECK(ack.applied() == 3);
  CHECK(ack.applied_seq() == 3);
  ack = ValueOrDie(db->Apply(Batch(1, {r[0], r[1], r[2]}), 100));  // duplicate
  CHECK(ack.applied() == 0);
  CHECK(ack.skipped() == 3);
  ack = ValueOrDie(db->Apply(Batch(2, {r[1], r[2], r[3]}), 100));  // overlaps
  CHECK(ack.skipped() == 2);
  CHECK(ack.applied() == 1);
  CHECK(ValueOrDie(db->State()).records == 4);

  // A gap after the cursor, a foreign record, an oversize batch: refused,
  // nothing written.
  CHECK(absl::IsFailedPrecondition(db->Apply(Batch(6, {r[4]}), 100).status()));
  v1::TeacherRecord foreign = SampleRecord(11, 9);
  CHECK(absl::IsPermissionDenied(db->Apply(Batch(5, {foreign}), 100).status()));
  CHECK(absl::IsInvalidArgument(db->Apply(Batch(5, {r[4], r[4]}), 1).status()));
  v1::PushBatch nameless;
  v1::Change* tombstone = nameless.add_changes();
  tombstone->set_seq(5);
  tombstone->set_tombstone(true);
  CHECK(absl::IsInvalidArgument(db->Apply(nameless, 100).status()));
  v1::PushBatch gap = Batch(5, {r[4], r[4]});
  gap.mutable_changes(1)->set_seq(9);
  CHECK(absl::IsInvalidArgument(db->Apply(gap, 100).status()));
  CHECK(ValueOrDie(db->State()).applied_seq == 4);
  CHECK(ValueOrDie(db->State()).records == 4);
}

TEST_CASE("Invalid records are rejected into the ledger and the stream goes on",
          "[national]") {
  TempDir dir;
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  ProvinceDb* db = ValueOrDie(store->Province("44", /*create=*/true));
  v1::TeacherRecord bad = SampleRecord(44, 2);
  bad.set_ethnicity(static_cast<v1::Ethnicity>(77));
  v1::PushAck ack = ValueOrDie(db->Apply(
      Batch(1, {SampleRecord(44, 1), bad, SampleRecord(44, 3)}), 100));
  CHECK(ack.applied() == 2);
  REQUIRE(ack.rejections_size() == 1);
  CHECK(ack.rejections(0).seq() == 2);
  CHECK(ack.rejections(0).field() == "ethnicity");
  CHECK(ack.applied_seq() == 3);
  ProvinceState state = ValueOrDie(db->State());
  CHECK(state.records == 2);
  CHECK(state.rejected == 1);
  // Fixed later, the record syncs normally.
  bad.set_ethnicity(v1::ETHNICITY_HAN);
  CHECK(ValueOrDie(db->Apply(Batch(4, {bad}), 100)).applied() == 1);
  CHECK(ValueOrDie(db->State()).records == 3);
}

TEST_CASE(
    "Rollups equal a recount after random changes and moves and tombstones",
    "[national]") {
  TempDir dir;
  const std::string path = dir.File("province-44.db");
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  ProvinceDb* db = ValueOrDie(store->Province("44", /*create=*/true));
  std::mt19937 rng(42);
  uint64_t seq = 1;
  for (int round = 0; round < 40; ++round) {
    v1::PushBatch batch;
    for (int i = 0; i < 50; ++i) {
      uint64_t n = 1 + rng() % 300;
      v1::Change* c = batch.add_changes();
      c->set_seq(seq++);
      c->set_teacher_number(SampleRecord(44, n).teacher_number());
      if (rng() % 7 == 0) {
        c->set_tombstone(true);
      } else {
        *c->mutable_record() =
            SampleRecord(44, n, static_cast<int>(rng() % 60));
      }
    }
    NTMIS_ASSERT_OK(db->Apply(batch, 100).status());
  }
  sql::Database check = ValueOrDie(sql::Database::Open(path));
  CHECK(RollupCells(check) == Recount(check));
  CHECK(ValueOrDie(check.QueryInt(
            "SELECT COUNT(*) FROM rollup WHERE teachers <= 0")) == 0);
  CHECK(static_cast<int64_t>(ValueOrDie(db->State()).records) ==
        ValueOrDie(check.QueryInt("SELECT COUNT(*) FROM teachers")));

  // Aggregates read the same numbers as a count over the records.
  const Dimension* title = *FindDimension("title");
  const Dimension* county = *FindDimension("county");
  std::map<std::pair<int64_t, int64_t>, uint64_t> got, expected;
  CubeCounts counts;
  db->Count(
      {{{title->shift, title->mask()}, {county->shift, county->mask()}}, {}},
      counts);
  for (const auto& [key, n] : counts) {
    std::vector<int64_t> k = RollupCube::UnpackKey(key, 2);
    got[{k[0], k[1]}] = n;
  }
  CHECK(ValueOrDie(db->Check()).problems.empty());
  auto records = ValueOrDie(check.Prepare("SELECT record FROM teachers"));
  v1::TeacherRecord r;
  while (ValueOrDie(records.Step())) {
    REQUIRE(r.ParseFromString(std::string(records.ColumnBlob(0))));
    ++expected[{r.title(), county->value(r)}];
    CHECK(DimensionCode(*county, county->value(r), "44") == r.county_code());
  }
  CHECK(got == expected);
}

TEST_CASE(
    "A release interrupted before its hand-over is finished when the store "
    "opens",
    "[national]") {
  testing::TempDir dir;
  const std::string number = testing::SampleRecord(44, 7).teacher_number();
  {
    auto store = testing::ValueOrDie(NationalStore::Open(dir.path()));
    ProvinceDb* gd = testing::ValueOrDie(store->Province("44", true));
    NTMIS_ASSERT_OK(
        gd->Apply(Batch(1, {testing::SampleRecord(44, 7)}), 10).status());
    // The receiving province pushed first: its record is held.
    ProvinceDb* js = testing::ValueOrDie(store->Province("32", true));
    v1::TeacherRecord moved = testing::SampleRecord(32, 1);
    moved.set_teacher_number(number);
    CHECK(testing::ValueOrDie(js->Apply(Batch(1, {moved}), 10)).held() == 1);
    // The release commits, and the process dies before CompleteMoves.
    v1::PushBatch release;
    v1::Change* c = release.add_changes();
    c->set_seq(2);
    c->set_teacher_number(number);
    c->set_tombstone(true);
    c->set_moved_to(v1::PROVINCE_JIANGSU);
    NTMIS_ASSERT_OK(gd->Apply(release, 10).status());
    CHECK(testing::ValueOrDie(gd->State()).records == 0);
    CHECK(testing::ValueOrDie(js->State()).records ==
          0);  // in neither, for now
  }
  auto store = testing::ValueOrDie(NationalStore::Open(dir.path()));
  CHECK(store->KnownProvinces() == std::vector<std::string>{"32", "44"});
  CHECK(store->owners().Owner(number) == "32");
  ProvinceDb* js = testing::ValueOrDie(store->Province("32", false));
  CHECK(testing::ValueOrDie(js->State()).records == 1);
  CHECK(testing::ValueOrDie(js->State()).held == 0);
  CHECK(testing::ValueOrDie(js->Check()).problems.empty());
  CHECK(testing::ValueOrDie(testing::ValueOrDie(store->Province("44", false))
                                ->PendingDepartures())
            .empty());
}

}  // namespace
}  // namespace ntmis::national
