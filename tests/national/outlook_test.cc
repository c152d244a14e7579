// The outlook: the statutory retirement age under the 2025 reform at every
// boundary of the official schedule, and the outlook's counts equal to a
// recount of the stored records made here month by month, through pushes
// that change and remove teachers.
#include "national/query/outlook.h"

#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "national/ingest/national_store.h"
#include "national/query/retirement_rules.h"
#include "national/rollup/outlook_cell.h"
#include "tests/support/test_support.h"

namespace ntmis::national {
namespace {

using testing::ValueOrDie;

int Month(int year, int month) { return outlook::MonthNumber(year, month); }

// The month of retirement for someone born in (year, month), read off the
// schedule as it is published: the original age, then one more month for
// each started step of the reform counted from January 2025.
int Published(int year, int month, int original_age, int per_step,
              int max_delay) {
  int y = year + original_age, m = month;
  const int original = Month(y, m);
  if (original < Month(2025, 1)) return original;
  int delay = 0;
  for (int at = Month(2025, 1); at <= original && delay < max_delay;
       at += per_step)
    ++delay;
  return original + delay;
}

TEST_CASE("The retirement age at every boundary of the 2025 reform") {
  const auto& men = RetirementRules()[0];
  const auto& women55 = RetirementRules()[1];
  const auto& women50 = RetirementRules()[2];
  struct Case {
    const RetirementRule* rule;
    int year, month;
    int retires_year, retires_month;  // from the published schedule
  };
  const Case cases[] = {
      {&men, 1964, 12, 2024, 12},  // before the reform: 60
      {&men, 1965, 1, 2025, 2},    // 60 and 1 month
      {&men, 1965, 4, 2025, 5},    // still 1 month (first four months)
      {&men, 1965, 5, 2025, 7},    // 2 months
      {&men, 1976, 8, 2039, 7},    // 62 and 11 months
      {&men, 1976, 9, 2039, 9},    // 63: the end of the schedule
      {&men, 1990, 6, 2053, 6},    // 63
      {&women55, 1969, 12, 2024, 12},
      {&women55, 1970, 1, 2025, 2},  // 55 and 1 month
      {&women55, 1981, 8, 2039, 7},  // 57 and 11 months
      {&women55, 1981, 9, 2039, 9},  // 58
      {&women50, 1974, 12, 2024, 12},
      {&women50, 1975, 1, 2025, 2},    // 50 and 1 month
      {&women50, 1975, 2, 2025, 3},    // still 1 month (first two months)
      {&women50, 1975, 3, 2025, 5},    // 2 months
      {&women50, 1984, 10, 2039, 9},   // 54 and 11 months
      {&women50, 1984, 11, 2039, 11},  // 55
  };
  for (const Case& c : cases) {
    INFO(c.rule->who << " born " << c.year << "-" << c.month);
    const int got = RetirementMonth(Month(c.year, c.month), *c.rule);
    CHECK(got == Month(c.retires_year, c.retires_month));
    CHECK(got == Published(c.year, c.month, c.rule->original_age,
                           c.rule->months_per_step, c.rule->max_delay_months));
  }
  // The rule follows gender and post.
  CHECK(RuleFor(v1::GENDER_MALE, v1::POST_TYPE_LOGISTICS) == &men);
  CHECK(RuleFor(v1::GENDER_FEMALE, v1::POST_TYPE_FULL_TIME_TEACHER) ==
        &women55);
  CHECK(RuleFor(v1::GENDER_FEMALE, v1::POST_TYPE_ADMINISTRATIVE) == &women55);
  CHECK(RuleFor(v1::GENDER_FEMALE, v1::POST_TYPE_LOGISTICS) == &women50);
  CHECK(RuleFor(v1::GENDER_UNSPECIFIED, v1::POST_TYPE_LOGISTICS) == nullptr);
  CHECK(
      DescribeRule(men) ==
      "男：原60周岁；2025年1月起每4个月延迟1个月，最多延迟36个月（至63周岁）");
}

struct Expected {
  uint64_t teachers = 0, reached = 0;
  uint64_t within[4] = {};
  uint64_t by_year[10] = {};
  uint64_t hires[10] = {};
};

// The recount: each record's retirement month from the published schedule.
Expected Recount(const std::map<std::string, v1::TeacherRecord>& records,
                 const Date& as_of, int gender_filter) {
  Expected e;
  const int now = Month(as_of.year, as_of.month);
  for (const auto& [number, r] : records) {
    if (gender_filter != 0 && r.gender() != gender_filter) continue;
    ++e.teachers;
    const Date birth = *ParseDate(r.birth_date());
    const bool woman = r.gender() == v1::GENDER_FEMALE;
    const bool worker = r.post_type() == v1::POST_TYPE_LOGISTICS;
    const int retires = !woman ? Published(birth.year, birth.month, 60, 4, 36)
                        : worker
                            ? Published(birth.year, birth.month, 50, 2, 60)
                            : Published(birth.year, birth.month, 55, 4, 36);
    if (retires <= now) {
      ++e.reached;
    } else {
      const int after = retires - now;
      const int horizons[] = {1, 3, 5, 10};
      for (int h = 0; h < 4; ++h) e.within[h] += after <= horizons[h] * 12;
      if (after <= 120) ++e.by_year[(after - 1) / 12];
    }
    const int hired = ParseDate(r.hire_date())->year;
    if (hired > as_of.year - 10 && hired <= as_of.year)
      ++e.hires[hired - (as_of.year - 9)];
  }
  return e;
}

void CheckRow(const v1::OutlookRow& row, const Expected& e) {
  CHECK(row.teachers() == e.teachers);
  CHECK(row.reached() == e.reached);
  REQUIRE(row.within_size() == 4);
  for (int i = 0; i < 4; ++i) CHECK(row.within(i) == e.within[i]);
  REQUIRE(row.by_year_size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(row.by_year(i) == e.by_year[i]);
  REQUIRE(row.hires_size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(row.hires(i) == e.hires[i]);
}

TEST_CASE("The outlook equals a recount around every boundary") {
  testing::TempDir dir;
  auto store = ValueOrDie(NationalStore::Open(dir.path()));
  ProvinceDb* db = ValueOrDie(store->Province("44", /*create=*/true));
  const Date as_of{2026, 11, 15};
  // Teachers whose retirement month falls on and around each window's
  // edge: this month (reached), next month, 12, 13, 36, 37, 60, 61, 120
  // and 121 months on — for each rule, born in the month that puts them
  // there.
  std::map<std::string, v1::TeacherRecord> records;
  uint64_t n = 0;
  const int now = Month(as_of.year, as_of.month);
  struct Kind {
    v1::Gender gender;
    v1::PostType post;
    int original, per_step, max_delay;
  };
  const Kind kinds[] = {
      {v1::GENDER_MALE, v1::POST_TYPE_FULL_TIME_TEACHER, 60, 4, 36},
      {v1::GENDER_FEMALE, v1::POST_TYPE_FULL_TIME_TEACHER, 55, 4, 36},
      {v1::GENDER_FEMALE, v1::POST_TYPE_LOGISTICS, 50, 2, 60},
  };
  for (const Kind& k : kinds) {
    for (int offset : {-1, 0, 1, 12, 13, 36, 37, 60, 61, 120, 121}) {
      // The birth month whose retirement month is now + offset, if any
      // (the reform skips some months).
      for (int birth = Month(1955, 1); birth < Month(1990, 1); ++birth) {
        const int y = outlook::YearOfMonth(birth),
                  m = outlook::MonthOfMonth(birth);
        if (Published(y, m, k.original, k.per_step, k.max_delay) !=
            now + offset)
          continue;
        v1::TeacherRecord r = testing::SampleRecord(44, ++n);
        r.set_gender(k.gender);
        r.set_post_type(k.post);
        r.set_birth_date(absl::StrFormat("%04d-%02d-%02d", y, m, 1 + n % 28));
        r.set_hire_date(absl::StrFormat("%04d-09-01", 2014 + n % 13));
        records[r.teacher_number()] = r;
      }
    }
  }
  REQUIRE(records.size() > 25);
  uint64_t seq = 0;
  auto push = [&](const std::vector<v1::TeacherRecord>& changed,
                  const std::vector<std::string>& removed) {
    v1::PushBatch batch;
    for (const auto& r : changed) {
      v1::Change* c = batch.add_changes();
      c->set_seq(++seq);
      c->set_teacher_number(r.teacher_number());
      *c->mutable_record() = r;
    }
    for (const auto& number : removed) {
      v1::Change* c = batch.add_changes();
      c->set_seq(++seq);
      c->set_teacher_number(number);
      c->set_tombstone(true);
    }
    v1::PushAck ack = ValueOrDie(db->Apply(batch, 100000));
    REQUIRE(ack.rejections_size() == 0);
  };
  std::vector<v1::TeacherRecord> all;
  for (const auto& [number, r] : records) all.push_back(r);
  push(all, {});

  v1::OutlookRequest request;
  request.set_as_of(as_of.ToString());
  auto answer = ValueOrDie(Outlook(*store, request, Date{2000, 1, 1}));
  REQUIRE(answer.rows_size() == 1);
  CHECK(answer.rows(0).label() == "广东省");
  CheckRow(answer.total(), Recount(records, as_of, 0));
  CHECK(answer.rules_size() == 3);
  CHECK(answer.hire_years(0) == 2017);

  // Changes move teachers between windows; a removed one leaves them.
  std::vector<v1::TeacherRecord> changed;
  std::vector<std::string> removed;
  int i = 0;
  for (auto& [number, r] : records) {
    if (i % 3 == 0) {
      r.set_post_type(r.post_type() == v1::POST_TYPE_LOGISTICS
                          ? v1::POST_TYPE_FULL_TIME_TEACHER
                          : v1::POST_TYPE_LOGISTICS);
      changed.push_back(r);
    } else if (i % 7 == 0) {
      removed.push_back(number);
    }
    ++i;
  }
  for (const auto& number : removed) records.erase(number);
  push(changed, removed);
  answer = ValueOrDie(Outlook(*store, request, Date{2000, 1, 1}));
  CheckRow(answer.total(), Recount(records, as_of, 0));

  // By county, the rows add up; a gender filter gives the women's recount.
  request.set_by("county");
  answer = ValueOrDie(Outlook(*store, request, Date{2000, 1, 1}));
  uint64_t sum = 0;
  for (const auto& row : answer.rows()) sum += row.teachers();
  CHECK(sum == records.size());
  request.set_by("province");
  v1::Filter* women = request.add_where();
  women->set_dimension("gender");
  women->add_values("2");
  answer = ValueOrDie(Outlook(*store, request, Date{2000, 1, 1}));
  CheckRow(answer.total(), Recount(records, as_of, v1::GENDER_FEMALE));

  // The stored outlook and the in-memory one agree with a recount.
  CHECK(ValueOrDie(db->Check()).problems.empty());

  // Bad questions say what is allowed, in Chinese.
  v1::OutlookRequest bad;
  bad.set_by("ethnicity");
  auto refused = Outlook(*store, bad, as_of);
  REQUIRE(absl::IsInvalidArgument(refused.status()));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("不能分组"));
  bad.set_by("");
  bad.set_as_of("2026-13-01");
  CHECK(absl::IsInvalidArgument(Outlook(*store, bad, as_of).status()));
}

}  // namespace
}  // namespace ntmis::national
