// National aggregates: every answer equals a count made independently from
// the stored records, after random changes; drill-down levels add up; ages
// are exact on the statistics date; bad questions say what is allowed.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/teacher/code_tables.h"
#include "national/ingest/national_store.h"
#include "national/query/aggregator.h"
#include "national/query/report_format.h"
#include "national/rollup/age_bands.h"
#include "tests/support/test_support.h"

namespace ntmis::national {
namespace {

using testing::ValueOrDie;
using Key = std::vector<std::string>;

const Date kToday{2026, 11, 23};

// The code a record has for a dimension, computed from the record's fields
// directly (not through national/rollup/dimensions.h).
std::string CodeOf(const v1::TeacherRecord& r, const std::string& dim,
                   int reference_year) {
  auto code = [](auto value, const auto& table) {
    return table.Code(static_cast<int>(value));
  };
  if (dim == "province")
    return code(r.province(), CodeTable::Of<v1::Province>());
  if (dim == "city") return r.city_code();
  if (dim == "county") return r.county_code();
  if (dim == "school_category")
    return code(r.school_category(), CodeTable::Of<v1::SchoolCategory>());
  if (dim == "gender") return code(r.gender(), CodeTable::Of<v1::Gender>());
  if (dim == "ethnicity")
    return code(r.ethnicity(), CodeTable::Of<v1::Ethnicity>());
  if (dim == "education")
    return code(r.education(), CodeTable::Of<v1::Education>());
  if (dim == "degree") return code(r.degree(), CodeTable::Of<v1::Degree>());
  if (dim == "title") return code(r.title(), CodeTable::Of<v1::TitleLevel>());
  if (dim == "post_type")
    return code(r.post_type(), CodeTable::Of<v1::PostType>());
  if (dim == "status")
    return code(r.status(), CodeTable::Of<v1::InServiceStatus>());
  if (dim == "employment_type")
    return code(r.employment_type(), CodeTable::Of<v1::EmploymentType>());
  if (dim == "age_band") {
    int age = AgeOn(*ParseDate(r.birth_date()), Date{reference_year, 8, 31});
    if (age <= 24) return "0-24";
    if (age >= 60) return "60+";
    int low = 25 + (age - 25) / 5 * 5;
    return absl::StrCat(low, "-", low + 4);
  }
  FAIL("unknown dimension " << dim);
  return "";
}

// Every stored record of every province.
std::vector<v1::TeacherRecord> StoredRecords(const std::string& dir) {
  std::vector<v1::TeacherRecord> out;
  for (const char* p : {"44", "65"}) {
    auto db = ValueOrDie(
        sql::Database::Open(absl::StrCat(dir, "/province-", p, ".db")));
    auto s = ValueOrDie(db.Prepare("SELECT record FROM teachers"));
    while (ValueOrDie(s.Step())) {
      out.emplace_back();
      REQUIRE(out.back().ParseFromString(std::string(s.ColumnBlob(0))));
    }
  }
  return out;
}

std::map<Key, uint64_t> Rows(const v1::AggregateResponse& response) {
  std::map<Key, uint64_t> out;
  for (const AnswerRow& row : AnswerRows(response))
    out[row.codes] = row.teachers;
  return out;
}

const std::vector<std::string> kDims = {
    "province",  "city",      "county",         "school_category", "gender",
    "age_band",  "ethnicity", "education",      "degree",          "title",
    "post_type", "status",    "employment_type"};

// Two provinces of generated teachers, pushed in batches.
class TwoProvinces {
 public:
  TwoProvinces() : store_(ValueOrDie(NationalStore::Open(dir_.path()))) {
    for (int code : {44, 65}) {
      std::vector<v1::TeacherRecord>& records = records_[code];
      testing::ForEachSyntheticRecord(
          code, 1500, 3, [&](v1::TeacherRecord& r) { records.push_back(r); });
      Push(code, records);
    }
  }

  // Pushes `records` as one more batch of province `code`.
  void Push(int code, const std::vector<v1::TeacherRecord>& records,
            bool tombstones = false) {
    ProvinceDb* db = ValueOrDie(store_->Province(absl::StrCat(code), true));
    v1::PushBatch batch;
    for (const auto& r : records) {
      v1::Change* c = batch.add_changes();
      c->set_seq(++seq_[code]);
      c->set_teacher_number(r.teacher_number());
      if (tombstones) {
        c->set_tombstone(true);
      } else {
        *c->mutable_record() = r;
      }
    }
    v1::PushAck ack = ValueOrDie(db->Apply(batch, 100000));
    REQUIRE(ack.rejections_size() == 0);
  }

  NationalStore& store() { return *store_; }
  const std::string& dir() const { return dir_.path(); }
  std::map<int, std::vector<v1::TeacherRecord>> records_;

 private:
  testing::TempDir dir_;
  std::unique_ptr<NationalStore> store_;
  std::map<int, uint64_t> seq_;
};

v1::AggregateResponse Ask(
    NationalStore& store, std::vector<std::string> by,
    std::vector<std::pair<std::string, std::vector<std::string>>> where = {},
    const std::string& age_reference = "") {
  v1::AggregateRequest r;
  for (auto& d : by) r.add_group_by(d);
  for (auto& [dim, values] : where) {
    v1::Filter* f = r.add_where();
    f->set_dimension(dim);
    for (auto& v : values) f->add_values(v);
  }
  r.set_age_reference(age_reference);
  return ValueOrDie(Aggregate(store, r, kToday));
}

TEST_CASE("Aggregates equal an independent recount after random changes",
          "[aggregate]") {
  TwoProvinces fed;
  std::mt19937_64 rng(11);
  for (int round = 0; round < 6; ++round) {
    // Random questions, some asked before the changes so their views exist
    // and must follow every batch.
    for (int q = 0; q < 40; ++q) {
      std::vector<std::string> dims = kDims;
      std::shuffle(dims.begin(), dims.end(), rng);
      size_t group = rng() % 5, filters = rng() % 3;
      std::vector<std::string> by(dims.begin(), dims.begin() + group);
      const int year = 2018 + static_cast<int>(rng() % 9);
      std::vector<v1::TeacherRecord> all = StoredRecords(fed.dir());
      std::vector<std::pair<std::string, std::vector<std::string>>> where;
      for (size_t f = 0; f < filters; ++f) {
        const std::string& dim = dims[group + f];
        // Values that occur, so filters select something.
        where.push_back({dim,
                         {CodeOf(all[rng() % all.size()], dim, year),
                          CodeOf(all[rng() % all.size()], dim, year)}});
      }
      std::map<Key, uint64_t> expected;
      for (const auto& r : all) {
        bool pass = true;
        for (const auto& [dim, values] : where) {
          std::string code = CodeOf(r, dim, year);
          pass = pass && (code == values[0] || code == values[1]);
        }
        if (!pass) continue;
        Key key;
        for (const auto& d : by) key.push_back(CodeOf(r, d, year));
        ++expected[key];
      }
      v1::AggregateResponse got =
          Ask(fed.store(), by, where, absl::StrCat(year));
      INFO("round " << round << " query " << q << ": "
                    << got.ShortDebugString());
      CHECK(Rows(got) == expected);
      CHECK(got.age_reference_date() == absl::StrCat(year, "-08-31"));
    }
    // Changes: a tenth of each province takes another teacher's values
    // (any dimension may move), and some teachers leave.
    for (int code : {44, 65}) {
      auto& records = fed.records_[code];
      std::vector<v1::TeacherRecord> changed, gone;
      for (size_t i = 0; i < records.size(); ++i) {
        if (rng() % 10 != 0) continue;
        const v1::TeacherRecord& other = records[rng() % records.size()];
        v1::TeacherRecord r = other;
        r.set_teacher_number(records[i].teacher_number());
        r.set_id_hash(records[i].id_hash());  // the same person, other values
        changed.push_back(r);
      }
      for (int k = 0; k < 20; ++k)
        gone.push_back(records[rng() % records.size()]);
      fed.Push(code, changed);
      fed.Push(code, gone, /*tombstones=*/true);
    }
  }
  for (const char* p : {"44", "65"})
    CHECK(ValueOrDie(ValueOrDie(fed.store().Province(p, false))->Check())
              .problems.empty());
}

TEST_CASE("Drill-down levels add up to their parent", "[aggregate]") {
  TwoProvinces fed;
  auto provinces = Rows(Ask(fed.store(), {"province"}));
  auto cities = Rows(Ask(fed.store(), {"province", "city"}));
  auto counties = Rows(Ask(fed.store(), {"city", "county"}));
  std::map<Key, uint64_t> from_cities, from_counties;
  for (const auto& [k, n] : cities) from_cities[{k[0]}] += n;
  for (const auto& [k, n] : counties)
    from_counties[{k[0].substr(0, 2), k[0]}] += n;
  CHECK(from_cities == provinces);
  CHECK(from_counties == cities);
  // A city filter narrows to that city's counties only.
  const std::string city = cities.begin()->first[1];
  auto in_city = Ask(fed.store(), {"county"}, {{"city", {city}}});
  CHECK(in_city.total() == cities.begin()->second);
  for (const AnswerRow& row : AnswerRows(in_city))
    CHECK(row.codes[0].substr(0, 4) == city);
  // The view that city filter needed is built in the other province in the
  // background, so the same panel asked of a city there finds it.
  ProvinceDb* other = ValueOrDie(
      fed.store().Province(city.substr(0, 2) == "44" ? "65" : "44", false));
  fed.store().view_warmer().Drain();  // what the queries above queued
  const size_t before = other->views();
  Ask(fed.store(), {"county", "gender"}, {{"city", {city}}});
  fed.store().view_warmer().Drain();
  CHECK(other->views() == before + 1);
  CHECK(Ask(fed.store(), {}).total() == 3000);
}

TEST_CASE("Ages are exact on the statistics date of the reference year",
          "[aggregate]") {
  testing::TempDir dir;
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  ProvinceDb* db = ValueOrDie(store->Province("44", true));
  v1::PushBatch batch;
  const std::vector<std::string> births = {
      "2001-08-31", "2001-09-01", "1966-08-31", "1966-09-01", "1996-02-29"};
  for (size_t i = 0; i < births.size(); ++i) {
    v1::TeacherRecord r = testing::SampleRecord(44, i + 1);
    r.set_birth_date(births[i]);
    r.set_hire_date("2024-09-01");
    v1::Change* c = batch.add_changes();
    c->set_seq(i + 1);
    c->set_teacher_number(r.teacher_number());
    *c->mutable_record() = r;
  }
  REQUIRE(ValueOrDie(db->Apply(batch, 10)).applied() == 5);
  // On 2026-08-31: 25, 24, 60, 59, 30.
  CHECK(Rows(Ask(*store, {"age_band"}, {}, "2026")) ==
        std::map<Key, uint64_t>{{{"0-24"}, 1},
                                {{"25-29"}, 1},
                                {{"30-34"}, 1},
                                {{"55-59"}, 1},
                                {{"60+"}, 1}});
  // A year earlier everyone is a year younger; the default is the latest
  // statistics date before today (2026-08-31).
  CHECK(Rows(Ask(*store, {"age_band"}, {}, "2025-08-31")) ==
        std::map<Key, uint64_t>{{{"0-24"}, 2}, {{"25-29"}, 1}, {{"55-59"}, 2}});
  CHECK(Ask(*store, {"age_band"}).age_reference_date() == "2026-08-31");
  CHECK(Ask(*store, {}, {{"age_band", {"≥60", "0-24"}}}, "2026").total() == 2);
  auto labels = Ask(*store, {"age_band"}, {}, "2026");
  CHECK(AnswerRows(labels)[0].labels[0] == "24岁及以下");
}

TEST_CASE("Bad aggregate questions say what is allowed", "[aggregate]") {
  testing::TempDir dir;
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  auto ask = [&](std::vector<std::string> by,
                 std::vector<std::pair<std::string, std::string>> where,
                 const std::string& age = "") {
    v1::AggregateRequest r;
    for (auto& d : by) r.add_group_by(d);
    for (auto& [dim, value] : where) {
      v1::Filter* f = r.add_where();
      f->set_dimension(dim);
      f->add_values(value);
    }
    r.set_age_reference(age);
    return Aggregate(*store, r, kToday).status();
  };
  auto s = ask({"hair_colour"}, {});
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()),
             Catch::Contains("allowed: province, city, county"));
  s = ask({"gender", "title", "degree", "status", "ethnicity"}, {});
  CHECK_THAT(std::string(s.message()), Catch::Contains("at most 4 dimensions"));
  s = ask({}, {{"gender", "7"}});
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("gender"));
  s = ask({}, {{"age_band", "20-30"}});
  CHECK_THAT(std::string(s.message()), Catch::Contains("allowed: 0-24, 25-29"));
  s = ask({}, {{"county", "44"}});
  CHECK_THAT(std::string(s.message()), Catch::Contains("6 digits"));
  s = ask({"age_band"}, {}, "2026-06-30");
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("31 August"));
}

}  // namespace
}  // namespace ntmis::national
