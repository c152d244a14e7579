// One person, one number across provinces: a province creating a teacher
// the national registry knows reuses the existing number and names its
// owner; one created while the national node was down is provisional and
// renumbered by the next sync; a second number for a registered person is
// refused and both provinces see the conflict.
#include <catch2/catch.hpp>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/sql/sqlite.h"
#include "national/ingest/national_store.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

std::vector<std::vector<std::string>> Rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(csv, '\n', absl::SkipEmpty()))
    rows.push_back(absl::StrSplit(line, ','));
  return rows;
}

// The conflicts a province's node stored at its last sync: "KIND number".
std::vector<std::string> StoredConflicts(Federation& f,
                                         const std::string& code) {
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.province(code).database()));
  auto s = ValueOrDie(
      db.Prepare("SELECT kind, teacher_number FROM identity_conflicts "
                 "ORDER BY teacher_number"));
  std::vector<std::string> out;
  while (ValueOrDie(s.Step()))
    out.push_back(s.ColumnText(0) + " " + s.ColumnText(1));
  return out;
}

TEST_CASE("A person moving to another province keeps their national number",
          "[identity]") {
  Federation f;
  f.AddProvince("44");
  f.AddProvince("32");
  auto gd = Rows(f.LoadSynthetic("44", 30, 3));
  auto js = Rows(f.LoadSynthetic("32", 30, 4));
  NTMIS_ASSERT_OK(f.Sync("44").status());
  NTMIS_ASSERT_OK(f.Sync("32").status());
  const std::string header = absl::StrJoin(gd[0], ",");
  const std::string js_school = js[1][10];
  // Guangdong's numbers, by ID-card number, as the national node holds them.
  auto number_of = [&](const std::string& id_card) {
    auto stub =
        f.QueryStub(PeerIdentity::Operator("op", OperatorRole::kManager));
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::LookupRequest r;
    r.set_id_card_number(id_card);
    r.set_reason("identity test");
    v1::LookupResponse response;
    REQUIRE(stub->Lookup(&c, r, &response).ok());
    return response.matches(0).record().teacher_number();
  };

  // Jiangsu hires the first Guangdong teacher: the number is reused and
  // Guangdong named as the owner.
  std::vector<std::string> moved = gd[1];
  moved[10] = js_school;
  auto report = ValueOrDie(f.Admin("32")->ImportData(
      provincial::ImportTarget::kTeachers,
      header + "\n" + absl::StrJoin(moved, ",") + "\n", false));
  REQUIRE(report.rows_applied() == 1);
  REQUIRE(report.numbers_reused() == 1);
  CHECK(report.reused(0).teacher_number() == number_of(gd[1][3]));
  CHECK(report.reused(0).owner_province() == "44");
  CHECK(report.provisional() == 0);

  // Pushed, the record is held: the person is active in two provinces
  // until Guangdong releases them, and both provinces see it.
  auto sync = ValueOrDie(f.Sync("32"));
  CHECK(sync.held == 1);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  const std::string expected = "ACTIVE_IN_TWO_PROVINCES " + number_of(gd[1][3]);
  CHECK(StoredConflicts(f, "32") == std::vector<std::string>{expected});
  CHECK(StoredConflicts(f, "44") == std::vector<std::string>{expected});

  // With the national node down, a hire is provisional (a Jiangsu number);
  // the next sync finds the person's number and renumbers before pushing.
  f.StopNational();
  std::vector<std::string> second = gd[2];
  second[10] = js_school;
  report = ValueOrDie(f.Admin("32")->ImportData(
      provincial::ImportTarget::kTeachers,
      header + "\n" + absl::StrJoin(second, ",") + "\n", false));
  REQUIRE(report.rows_applied() == 1);
  CHECK(report.provisional() == 1);
  CHECK(report.numbers_reused() == 0);
  f.StartNational();
  sync = ValueOrDie(f.Sync("32"));
  CHECK(sync.renumbered == 1);
  CHECK(sync.held == 1);
  CHECK(sync.rejections.empty());
  sql::Database js_db =
      ValueOrDie(sql::Database::Open(f.province("32").database()));
  CHECK(ValueOrDie(js_db.QueryInt(
            "SELECT COUNT(*) FROM teachers WHERE provisional = 1")) == 0);
  CHECK(StoredConflicts(f, "32").size() == 2);
  // Nothing was counted twice: each province counts its own teachers.
  CHECK(ValueOrDie(
            ValueOrDie(f.national().store().Province("32", false))->State())
            .records == 30);
  CHECK(f.NationalProblems("32").empty());
}

TEST_CASE(
    "A second number for a registered person is refused and both provinces see "
    "it",
    "[identity]") {
  TempDir dir;
  auto store = ValueOrDie(national::NationalStore::Open(dir.path()));
  auto push = [&](const std::string& province, uint64_t seq,
                  const v1::TeacherRecord& r, bool tombstone = false) {
    v1::PushBatch batch;
    v1::Change* c = batch.add_changes();
    c->set_seq(seq);
    c->set_teacher_number(r.teacher_number());
    if (tombstone) {
      c->set_tombstone(true);
    } else {
      *c->mutable_record() = r;
    }
    return ValueOrDie(
        ValueOrDie(store->Province(province, true))->Apply(batch, 10));
  };
  v1::TeacherRecord first = SampleRecord(44, 1);
  v1::TeacherRecord second = SampleRecord(32, 1);
  second.set_id_hash(first.id_hash());  // the same person
  CHECK(push("44", 1, first).applied() == 1);
  v1::PushAck ack = push("32", 1, second);
  CHECK(ack.applied() == 0);
  REQUIRE(ack.rejections_size() == 1);
  CHECK(ack.rejections(0).field() == "id_card_number");
  CHECK_THAT(
      ack.rejections(0).reason(),
      Catch::Contains("registered as teacher " + first.teacher_number()));
  for (const char* p : {"44", "32"}) {
    auto conflicts = ValueOrDie(store->IdentityConflictsOf(p));
    REQUIRE(conflicts.conflicts_size() == 1);
    CHECK(conflicts.conflicts(0).kind() == v1::IdentityConflict::TWO_NUMBERS);
    CHECK(conflicts.conflicts(0).teacher_number() == second.teacher_number());
    CHECK(conflicts.conflicts(0).existing_number() == first.teacher_number());
  }
  CHECK(ValueOrDie(store->IdentityConflictsOf("11")).conflicts_size() == 0);
  // Resolving: the registry answers with the first number...
  v1::ResolveIdentitiesRequest ask;
  ask.add_id_hashes(first.id_hash());
  ask.add_id_hashes(std::string(32, 'z'));
  auto known = ValueOrDie(store->ResolveIdentities(ask));
  CHECK(known.identities(0).known());
  CHECK(known.identities(0).teacher_number() == first.teacher_number());
  CHECK(known.identities(0).owner_province() == "44");
  CHECK_FALSE(known.identities(1).known());
  // ... and once Jiangsu withdraws its second number, the conflict is over.
  push("32", 2, second, /*tombstone=*/true);
  CHECK(ValueOrDie(store->IdentityConflictsOf("44")).conflicts_size() == 0);
}

}  // namespace
}  // namespace ntmis::testing
