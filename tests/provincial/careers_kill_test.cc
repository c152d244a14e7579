// A process killed while it files and decides transfers leaves every case at
// its old or its new step: an open case locks its teacher, who is still at
// the sending school; a completed one has moved the teacher and released the
// lock; no decision is half kept (provincial/core/careers.h).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "common/base/dates.h"
#include "common/sql/sqlite.h"
#include "provincial/core/access.h"
#include "provincial/core/careers.h"
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

provincial::User Manager(const std::string& name, const std::string& unit) {
  provincial::User u;
  u.username = name;
  u.unit_code = unit;
  u.role = provincial::Role::kManager;
  return u;
}

// Files and decides transfers of every teacher in turn, one school over,
// until killed (or done).
void TransferAll(const std::string& path,
                 const std::vector<std::string>& numbers,
                 const std::vector<std::string>& schools) {
  provincial::Store store = ValueOrDie(provincial::Store::Open(path));
  provincial::Careers careers(store, TestKeys(), {});
  for (size_t i = 0; i < numbers.size(); ++i) {
    const provincial::StoredTeacher t =
        ValueOrDie(provincial::LoadTeacher(store, numbers[i]));
    const auto at =
        std::find(schools.begin(), schools.end(), t.record.school_code());
    const std::string to =
        schools[((at - schools.begin()) + 1) % schools.size()];
    v1::FileTransferRequest request;
    request.set_teacher_number(numbers[i]);
    request.set_to_school(to);
    request.set_effective_date(Today().ToString());
    request.set_reason("交流");
    absl::StatusOr<v1::CareerCase> c =
        careers.FileTransfer(Manager("filer", to), request);
    if (!c.ok()) continue;  // an open case from before the last kill
    while (c.ok() && c->state() == "open") {
      const v1::CareerStep& step = c->steps(static_cast<int>(c->step()));
      v1::DecideCareerStepRequest decide;
      decide.set_case_id(c->id());
      decide.set_step(c->step());
      decide.set_decision(v1::DecideCareerStepRequest::APPROVE);
      c = careers.Decide(Manager("d" + step.unit_code(), step.unit_code()),
                         decide);
    }
  }
}

TEST_CASE(
    "Transfers killed at any moment leave each case at its old or new step",
    "[careers][fault]") {
  TempDir dir;
  const std::string path = dir.File("p.db");
  std::vector<std::string> numbers, schools;
  {
    provincial::Store store = ProvinceWithUnits(path, 44, 400, 9);
    REQUIRE(ImportTeachers(store, SyntheticTeachers(44, 400, 9), false)
                .rows_applied() == 400);
    auto places = ValueOrDie(provincial::LoadSchools(store));
    for (const auto& [code, place] : places)
      if (place.closed_unit.empty()) schools.push_back(code);
    std::sort(schools.begin(), schools.end());
    auto q = ValueOrDie(
        store.db().Prepare("SELECT teacher_number FROM teachers ORDER BY 1"));
    NTMIS_ASSERT_OK(q.ForEachRow([&] { numbers.push_back(q.ColumnText(0)); }));
  }
  REQUIRE(schools.size() > 1);
  int open_after_kill = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      TransferAll(path, numbers, schools);
      _exit(0);
    }
    // Wait until the child has filed a case in this attempt (however busy
    // the machine is), then kill at a different moment each time.
    {
      sql::Database watcher = ValueOrDie(sql::Database::Open(path));
      const int64_t before =
          ValueOrDie(watcher.QueryInt("SELECT COUNT(*) FROM career_cases"));
      // Past its first cases, and with one open right now: a busy machine
      // (the whole suite on two cores) must not let it finish everything
      // between two looks.
      for (int i = 0; i < 20000; ++i) {
        if (ValueOrDie(watcher.QueryInt("SELECT COUNT(*) FROM career_cases")) >
                before + 2 &&
            ValueOrDie(watcher.QueryInt(
                "SELECT COUNT(*) FROM career_cases WHERE state = 'open'")) >
                0) {
          break;
        }
        if (waitpid(child, nullptr, WNOHANG) == child) break;
        usleep(500);
      }
    }
    usleep(static_cast<useconds_t>(attempt) * 500 + 100);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);

    provincial::Store store = ValueOrDie(provincial::Store::Open(path));
    auto check = ValueOrDie(store.db().Prepare("PRAGMA integrity_check"));
    REQUIRE(ValueOrDie(check.Step()));
    CHECK(check.ColumnText(0) == "ok");
    auto cases = ValueOrDie(store.db().Prepare(
        "SELECT c.id, c.state, c.record, t.locked_case, t.school_code FROM "
        "career_cases c "
        "JOIN teachers t USING (teacher_number) ORDER BY c.id"));
    int open = 0, completed = 0;
    NTMIS_ASSERT_OK(cases.ForEachRow([&] {
      v1::CareerCase c;
      REQUIRE(c.ParseFromString(std::string(cases.ColumnBlob(2))));
      const std::string state = cases.ColumnText(1);
      INFO("case " << c.id() << " " << state << " at step " << c.step());
      CHECK(c.state() == state);
      int decided = 0;
      for (const v1::CareerStep& s : c.steps())
        decided += !s.decision().empty();
      if (state == "open") {
        ++open;
        CHECK(cases.ColumnInt(3) == cases.ColumnInt(0));  // locked by this case
        CHECK(cases.ColumnText(4) == c.from_school());    // not moved yet
        CHECK(decided == static_cast<int>(c.step()));
      } else {
        ++completed;
        CHECK(state == "completed");
        CHECK(decided == c.steps_size());
      }
    }));
    // Each completed case moved its teacher once: one version per move.
    auto versions = ValueOrDie(
        store.db().QueryInt("SELECT COUNT(*) FROM teacher_versions WHERE "
                            "change_action LIKE 'career.transfer%'"));
    auto moves_done = ValueOrDie(
        store.db().QueryInt("SELECT COUNT(*) FROM teachers WHERE change_action "
                            "LIKE 'career.transfer%'"));
    CHECK(versions + moves_done >= completed);
    CHECK(ValueOrDie(store.db().QueryInt(
              "SELECT COUNT(*) FROM teachers WHERE locked_case != 0 AND "
              "locked_case NOT IN "
              "(SELECT id FROM career_cases WHERE state = 'open')")) == 0);
    open_after_kill += open;
    INFO("attempt " << attempt << ": " << completed << " completed, " << open
                    << " open");
  }
  CHECK(open_after_kill > 0);  // the kills did land inside cases
}

}  // namespace
}  // namespace ntmis::testing
