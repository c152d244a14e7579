// The national province store: batch rules, idempotence, rejections and
// rollups that always equal a recount.
#include <random>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "national/province_db.h"
#include "tests/test_support.h"

namespace ntmis::national {
namespace {

using testing::SampleRecord;
using testing::TempDir;
using testing::ValueOrDie;

v1::PushBatch Batch(uint64_t first, const std::vector<v1::TeacherRecord>& records) {
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

// Rollup cells as "dims...=count", from the rollup and from a recount of
// the teacher rows.
std::map<std::string, int64_t> Cells(sql::Database& db, const char* table) {
  std::string count = std::string(table) == "rollup" ? "SUM(teachers)" : "COUNT(*)";
  auto s = ValueOrDie(db.Prepare(absl::StrCat(
      "SELECT city || '|' || county || '|' || school_category || '|' || gender || '|' || "
      "ethnicity || '|' || education || '|' || degree || '|' || title || '|' || post_type "
      "|| '|' || status || '|' || employment_type, ", count, " FROM ", table,
      " GROUP BY 1")));
  std::map<std::string, int64_t> cells;
  while (ValueOrDie(s.Step())) cells[s.ColumnText(0)] = s.ColumnInt(1);
  return cells;
}

TEST_CASE("Batches apply once and duplicates or stale retries change nothing", "[national]") {
  TempDir dir;
  auto db = ValueOrDie(ProvinceDb::Open(dir.File("p.db"), "44"));
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

  // A gap after the cursor, a foreign record, an oversize batch: refused, nothing written.
  CHECK(absl::IsFailedPrecondition(db->Apply(Batch(6, {r[4]}), 100).status()));
  v1::TeacherRecord foreign = SampleRecord(11, 9);
  CHECK(absl::IsPermissionDenied(db->Apply(Batch(5, {foreign}), 100).status()));
  CHECK(absl::IsInvalidArgument(db->Apply(Batch(5, {r[4], r[4]}), 1).status()));
  v1::PushBatch gap = Batch(5, {r[4], r[4]});
  gap.mutable_changes(1)->set_seq(9);
  CHECK(absl::IsInvalidArgument(db->Apply(gap, 100).status()));
  CHECK(ValueOrDie(db->State()).applied_seq == 4);
  CHECK(ValueOrDie(db->State()).records == 4);
}

TEST_CASE("Invalid records are rejected into the ledger and the stream goes on", "[national]") {
  TempDir dir;
  auto db = ValueOrDie(ProvinceDb::Open(dir.File("p.db"), "44"));
  v1::TeacherRecord bad = SampleRecord(44, 2);
  bad.set_ethnicity(static_cast<v1::Ethnicity>(77));
  v1::PushAck ack = ValueOrDie(db->Apply(Batch(1, {SampleRecord(44, 1), bad, SampleRecord(44, 3)}), 100));
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

TEST_CASE("Rollups equal a recount after random changes and moves and tombstones", "[national]") {
  TempDir dir;
  const std::string path = dir.File("p.db");
  auto db = ValueOrDie(ProvinceDb::Open(path, "44"));
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
        *c->mutable_record() = SampleRecord(44, n, static_cast<int>(rng() % 60));
      }
    }
    NTMIS_ASSERT_OK(db->Apply(batch, 100).status());
  }
  sql::Database check = ValueOrDie(sql::Database::Open(path));
  auto rollup = Cells(check, "rollup");
  CHECK(rollup == Cells(check, "teachers"));
  CHECK(ValueOrDie(check.QueryInt("SELECT COUNT(*) FROM rollup WHERE teachers <= 0")) == 0);
  CHECK(static_cast<int64_t>(ValueOrDie(db->State()).records) ==
        ValueOrDie(check.QueryInt("SELECT COUNT(*) FROM teachers")));

  // Aggregates read the same numbers.
  std::map<std::string, uint64_t> by_title;
  auto title = FindDimension("title");
  NTMIS_ASSERT_OK(db->Aggregate({*title}, {},
                                [&](const std::vector<std::string>& k, uint64_t n) {
                                  by_title[k[0]] = n;
                                }));
  auto recount = ValueOrDie(check.Prepare("SELECT title, COUNT(*) FROM teachers GROUP BY 1"));
  std::map<std::string, uint64_t> expected;
  while (ValueOrDie(recount.Step())) expected[recount.ColumnText(0)] = recount.ColumnInt(1);
  CHECK(by_title == expected);
}

}  // namespace
}  // namespace ntmis::national
