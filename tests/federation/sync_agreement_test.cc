// Sync you can trust, end to end over mutual TLS: tombstones, moves between
// provinces, rejections that do not stall and resolve once fixed, digests
// that prove agreement and repair drift (also after the national node was
// restored from an old backup), and version negotiation.
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/teacher/record_digest.h"
#include "common/teacher/sync_versions.h"
#include "provincial/core/teachers.h"
#include "tests/support/teacher_changes.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

provincial::Store OpenStore(Federation& f, const std::string& code) {
  return ValueOrDie(provincial::Store::Open(f.province(code).database()));
}

std::vector<std::string> TeacherNumbers(provincial::Store& store) {
  auto s = ValueOrDie(
      store.db().Prepare("SELECT teacher_number FROM teachers WHERE state = "
                         "'effective' ORDER BY teacher_number"));
  std::vector<std::string> out;
  while (ValueOrDie(s.Step())) out.push_back(s.ColumnText(0));
  return out;
}

v1::TeacherRecord Record(provincial::Store& store, const std::string& number) {
  auto s = ValueOrDie(store.db().Prepare(
      "SELECT record FROM teachers WHERE teacher_number = ?"));
  REQUIRE(ValueOrDie(s.BindAll(number).Step()));
  v1::TeacherRecord r;
  REQUIRE(r.ParseFromString(std::string(s.ColumnBlob(0))));
  return r;
}

uint64_t Held(Federation& f, const std::string& code) {
  return ValueOrDie(
             ValueOrDie(f.national().store().Province(code, true))->State())
      .records;
}

// The national digests of a province equal the province's own.
bool Agree(Federation& f, const std::string& code) {
  provincial::Store store = OpenStore(f, code);
  DigestMap local = ValueOrDie(provincial::LocalDigests(store));
  v1::Digests national = ValueOrDie(
      ValueOrDie(f.national().store().Province(code, true))->Digests());
  DigestMap remote;
  for (const auto& b : national.buckets())
    remote[b.bucket()] = {b.teachers(), b.hash()};
  return local == remote;
}

// A completed transfer of `number` from province `from` to `to`: the
// receiving node admits the person under the same number (ID number
// re-sealed under its own key), the sending node releases it.
void Transfer(Federation& f, const std::string& number, const std::string& from,
              const std::string& to, bool release_first) {
  provincial::Store a = OpenStore(f, from);
  provincial::Store b = OpenStore(f, to);
  v1::TeacherRecord record = Record(a, number);
  auto sealed = ValueOrDie(a.db().Prepare(
      "SELECT id_sealed FROM teachers WHERE teacher_number = ?"));
  REQUIRE(ValueOrDie(sealed.BindAll(number).Step()));
  std::string id = ValueOrDie(crypto::Open(
      ValueOrDie(provincial::LoadIdKeys(f.province(from))).seal_key,
      std::string(sealed.ColumnBlob(0))));
  auto school = ValueOrDie(b.db().Prepare(
      "SELECT s.code, s.school_category, c.code, c.parent_code FROM units s "
      "JOIN units c ON c.code = s.parent_code WHERE s.level = 4 ORDER BY "
      "s.code LIMIT 1"));
  REQUIRE(ValueOrDie(school.Step()));
  record.set_province(static_cast<v1::Province>(std::stoi(to)));
  record.set_school_code(school.ColumnText(0));
  record.set_school_category(
      static_cast<v1::SchoolCategory>(school.ColumnInt(1)));
  record.set_county_code(school.ColumnText(2));
  record.set_city_code(school.ColumnText(3));
  std::string resealed = ValueOrDie(crypto::Seal(
      ValueOrDie(provincial::LoadIdKeys(f.province(to))).seal_key, id));
  if (release_first) NTMIS_ASSERT_OK(HandOver(a, number, std::stoi(to)));
  NTMIS_ASSERT_OK(Admit(b, record, resealed));
  if (!release_first) NTMIS_ASSERT_OK(HandOver(a, number, std::stoi(to)));
}

TEST_CASE("Withdrawn teachers reach the national node as tombstones",
          "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 300, 1);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  provincial::Store store = OpenStore(f, "44");
  std::vector<std::string> numbers = TeacherNumbers(store);
  for (int i = 0; i < 9; ++i)
    NTMIS_ASSERT_OK(provincial::WithdrawTeacher(store, numbers[i * 7]));
  // Withdrawing twice is refused; nothing changes.
  CHECK(absl::IsFailedPrecondition(
      provincial::WithdrawTeacher(store, numbers[0])));
  // Operators do it through the API, with a reason.
  auto admin = f.Admin("44");
  CHECK(absl::IsInvalidArgument(
      admin->WithdrawTeacher(numbers[63], " ").status()));
  CHECK(absl::IsNotFound(
      admin->WithdrawTeacher("440000009999", "left").status()));
  auto done =
      ValueOrDie(admin->WithdrawTeacher(numbers[63], "left the profession"));
  CHECK(done.outbox_seq() == 310);
  auto report = ValueOrDie(f.Sync("44"));
  CHECK(report.sent == 10);
  CHECK(Held(f, "44") == 290);
  CHECK(f.NationalProblems("44").empty());
  CHECK(Agree(f, "44"));
}

TEST_CASE(
    "A transferred teacher moves between provinces and is never counted twice",
    "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.AddProvince("32");
  f.LoadSynthetic("44", 200, 2);
  f.LoadSynthetic("32", 100, 3);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  NTMIS_ASSERT_OK(f.Sync("32").status());
  provincial::Store gd = OpenStore(f, "44");
  std::vector<std::string> numbers = TeacherNumbers(gd);

  SECTION(
      "the receiving province syncs first: its record is held until the "
      "release") {
    Transfer(f, numbers[5], "44", "32", /*release_first=*/false);
    auto report = ValueOrDie(f.Sync("32"));
    CHECK(report.held == 1);
    CHECK(Held(f, "32") == 100);  // held, not counted
    CHECK(Held(f, "44") == 200);
    NTMIS_ASSERT_OK(f.Sync("44").status());
    CHECK(Held(f, "44") == 199);
    CHECK(Held(f, "32") == 101);  // taken in when the release arrived
  }
  SECTION(
      "the sending province syncs first: the teacher arrives with the "
      "receiver's push") {
    Transfer(f, numbers[5], "44", "32", /*release_first=*/true);
    NTMIS_ASSERT_OK(f.Sync("44").status());
    CHECK(Held(f, "44") == 199);
    CHECK(Held(f, "32") == 100);
    auto report = ValueOrDie(f.Sync("32"));
    CHECK(report.held == 0);
    CHECK(Held(f, "32") == 101);
  }
  CHECK(f.NationalProblems("44").empty());
  CHECK(f.NationalProblems("32").empty());
  CHECK(f.national().store().owners().Owner(numbers[5]) == "32");
  CHECK(Agree(f, "44"));
  CHECK(Agree(f, "32"));

  // The old province may no longer write or release the teacher.
  NTMIS_ASSERT_OK(
      provincial::RequeueForSync(gd, {numbers[5]}));  // a tombstone now
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(Held(f, "32") == 101);

  // A province cannot release a teacher it does not own.
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  grpc::ClientContext context;
  v1::Cursor cursor;
  REQUIRE(stub->GetCursor(&context, Hello(), &cursor).ok());
  v1::PushBatch steal;
  v1::Change* c = steal.add_changes();
  c->set_seq(cursor.applied_seq() + 1);
  c->set_teacher_number(numbers[5]);
  c->set_tombstone(true);
  c->set_moved_to(v1::PROVINCE_BEIJING);
  national::ProvinceDb* db =
      ValueOrDie(f.national().store().Province("44", false));
  v1::PushAck ack = ValueOrDie(db->Apply(steal, 10));
  REQUIRE(ack.rejections_size() == 1);
  CHECK(ack.rejections(0).reason().find("belongs to province 32") !=
        std::string::npos);
  NTMIS_ASSERT_OK(f.national().store().CompleteMoves(*db));
  CHECK(f.national().store().owners().Owner(numbers[5]) == "32");
}

TEST_CASE(
    "A rejected record does not stall the stream and its fix syncs normally",
    "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 100, 4);
  provincial::Store store = OpenStore(f, "44");
  std::vector<std::string> numbers = TeacherNumbers(store);
  // A record the province holds but the national node refuses (as an older
  // node, or a bug, could have stored it).
  v1::TeacherRecord bad = Record(store, numbers[3]);
  v1::TeacherRecord good = bad;
  bad.set_ethnicity(static_cast<v1::Ethnicity>(77));
  auto put = ValueOrDie(store.db().Prepare(
      "UPDATE teachers SET record = ? WHERE teacher_number = ?"));
  NTMIS_ASSERT_OK(
      put.BindBlob(1, bad.SerializeAsString()).Bind(2, numbers[3]).Run());

  auto report = ValueOrDie(f.Sync("44"));
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].field() == "ethnicity");
  v1::SyncHealth health = ValueOrDie(f.Admin("44")->GetSyncHealth());
  CHECK(health.open_rejections() == 1);
  REQUIRE(health.newest_rejections_size() == 1);
  CHECK(health.newest_rejections(0).teacher_number() == numbers[3]);
  CHECK(Held(f, "44") == 99);  // the rest went through
  CHECK(ValueOrDie(
            store.db().QueryInt("SELECT COUNT(*) FROM sync_rejections")) == 1);
  CHECK(ValueOrDie(
            ValueOrDie(f.national().store().Province("44", false))->State())
            .rejected == 1);

  NTMIS_ASSERT_OK(ChangeEffectiveRecord(store, good));
  report = ValueOrDie(f.Sync("44"));
  CHECK(report.rejections.empty());
  CHECK(Held(f, "44") == 100);
  CHECK(ValueOrDie(
            store.db().QueryInt("SELECT COUNT(*) FROM sync_rejections")) == 0);
  CHECK(ValueOrDie(
            ValueOrDie(f.national().store().Province("44", false))->State())
            .rejected == 0);
  CHECK(Agree(f, "44"));
}

TEST_CASE("Verify finds drift and re-sends only what differs", "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 3000, 5);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  auto clean = ValueOrDie(f.Verify("44"));
  CHECK(clean.agreed);
  CHECK(clean.mismatched_buckets == 0);
  CHECK(clean.requeued == 0);
  CHECK(clean.buckets ==
        4);  // sequence numbers 1-999, 1000-1999, 2000-2999, 3000

  // Drift the national copy behind sync's back: a lost row, an altered
  // row, a row that should not be there.
  provincial::Store store = OpenStore(f, "44");
  std::vector<std::string> numbers = TeacherNumbers(store);
  f.StopNational();
  {
    sql::Database db = ValueOrDie(
        sql::Database::Open(f.national_data_dir() + "/province-44.db"));
    auto del =
        ValueOrDie(db.Prepare("DELETE FROM teachers WHERE teacher_number = ?"));
    NTMIS_ASSERT_OK(del.BindAll(numbers[10]).Run());
    auto alter = ValueOrDie(
        db.Prepare("UPDATE teachers SET record = ? WHERE teacher_number = ?"));
    v1::TeacherRecord changed = Record(store, numbers[2000]);
    changed.set_name("改过的名字");
    NTMIS_ASSERT_OK(alter.BindBlob(1, changed.SerializeAsString())
                        .Bind(2, numbers[2000])
                        .Run());
  }
  // And a teacher the province no longer counts as effective without an
  // outbox entry (a province-side repair made by hand).
  NTMIS_ASSERT_OK(store.db().Exec(absl::StrCat(
      "UPDATE teachers SET state = 'withdrawn' WHERE teacher_number = '",
      numbers[2500], "'")));
  f.StartNational();
  // Hand edits break the derived tables; the national check finds it, and
  // a rebuild makes the digests describe what the file really holds.
  CHECK_FALSE(f.NationalProblems("44").empty());
  NTMIS_ASSERT_OK(
      ValueOrDie(f.national().store().Province("44", false))->Rebuild());
  CHECK(f.NationalProblems("44").empty());

  auto repaired = ValueOrDie(f.Verify("44"));
  CHECK(repaired.mismatched_buckets == 2);  // numbers 11 | 2001, 2501
  CHECK(repaired.requeued == 3);
  CHECK(repaired.sync.sent == 3);
  CHECK(repaired.agreed);
  CHECK(Agree(f, "44"));
  CHECK(f.NationalProblems("44").empty());
  CHECK(Held(f, "44") == 2999);
}

TEST_CASE(
    "After a national restore from an old backup verify brings back exact "
    "agreement",
    "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 2000, 6);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  f.StopNational();
  const std::string file = f.national_data_dir() + "/province-44.db";
  const std::string backup = f.dir().File("province-44.backup");
  std::filesystem::copy_file(file, backup);
  f.StartNational();

  // A month of work after the backup: changes, withdrawals, new teachers.
  provincial::Store store = OpenStore(f, "44");
  std::vector<std::string> numbers = TeacherNumbers(store);
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    v1::TeacherRecord r = Record(store, numbers[rng() % numbers.size()]);
    r.set_title(v1::TITLE_LEVEL_SENIOR_DEPUTY);
    NTMIS_ASSERT_OK(ChangeEffectiveRecord(store, r));
  }
  for (int i = 0; i < 5; ++i)
    NTMIS_ASSERT_OK(provincial::WithdrawTeacher(store, numbers[1500 + i]));
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(Agree(f, "44"));
  const uint64_t outbox_growth = 45;

  // The national node loses that month.
  f.StopNational();
  std::filesystem::remove(file + "-wal");
  std::filesystem::remove(file + "-shm");
  std::filesystem::copy_file(backup, file,
                             std::filesystem::copy_options::overwrite_existing);
  f.StartNational();
  CHECK(Held(f, "44") == 2000);

  auto v = ValueOrDie(f.Verify("44"));
  CHECK(v.agreed);
  CHECK(v.sync.sent <=
        outbox_growth);  // proportional to the difference, not to 2000
  CHECK(Held(f, "44") == 1995);
  CHECK(f.NationalProblems("44").empty());
  CHECK(Agree(f, "44"));
}

TEST_CASE(
    "Versions are negotiated: bridged when possible, refused with what to "
    "upgrade",
    "[sync]") {
  const SyncVersions national{2, 1, 3};
  CHECK(CheckSyncVersions({2, 1, 1}, national).ok());  // older catalog: bridged
  CHECK(CheckSyncVersions({0, 0, 0}, national)
            .ok());  // protocol 1, still accepted there
  absl::Status newer_catalog = CheckSyncVersions({2, 1, 4}, national);
  CHECK(absl::IsFailedPrecondition(newer_catalog));
  CHECK(newer_catalog.message().find("upgrade ntmis-national") !=
        absl::string_view::npos);
  absl::Status old_province = CheckSyncVersions({1, 1, 1}, {3, 2, 1});
  CHECK(old_province.message().find("upgrade ntmis-provincial") !=
        absl::string_view::npos);
  absl::Status old_national = CheckSyncVersions({3, 3, 1}, {2, 1, 1});
  CHECK(old_national.message().find("upgrade ntmis-national") !=
        absl::string_view::npos);

  Federation f;
  f.AddProvince("44");
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  {
    // A province from before negotiation (protocol 1) is told to upgrade.
    grpc::ClientContext context;
    v1::Cursor cursor;
    grpc::Status s = stub->GetCursor(&context, {}, &cursor);
    CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(s.error_message().find("upgrade ntmis-provincial") !=
          std::string::npos);
  }
  {
    grpc::ClientContext context;
    v1::GetCursorRequest hello;
    hello.set_protocol_version(kProtocolVersion);
    hello.set_catalog_version(kCoreCatalogVersion + 1);
    v1::Cursor cursor;
    grpc::Status s = stub->GetCursor(&context, hello, &cursor);
    CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(s.error_message().find("upgrade ntmis-national") !=
          std::string::npos);
  }
  {
    grpc::ClientContext context;
    v1::GetCursorRequest hello;
    hello.set_protocol_version(kProtocolVersion);
    hello.set_catalog_version(kCoreCatalogVersion);
    v1::Cursor cursor;
    REQUIRE(stub->GetCursor(&context, hello, &cursor).ok());
    CHECK(cursor.protocol_version() == kProtocolVersion);
    CHECK(cursor.catalog_version() == kCoreCatalogVersion);
  }
  {
    // A batch written with a catalog the national node does not know.
    grpc::ClientContext context;
    auto stream = stub->Push(&context);
    v1::PushBatch batch;
    batch.set_catalog_version(kCoreCatalogVersion + 1);
    v1::TeacherRecord r = SampleRecord(44, 1);
    v1::Change* c = batch.add_changes();
    c->set_seq(1);
    c->set_teacher_number(r.teacher_number());
    *c->mutable_record() = r;
    stream->Write(batch);
    stream->WritesDone();
    v1::PushAck ack;
    REQUIRE(stream->Read(&ack));  // the refusal
    CHECK(ack.error_code() ==
          static_cast<uint32_t>(absl::StatusCode::kInvalidArgument));
    CHECK_FALSE(stream->Read(&ack));
    grpc::Status s = stream->Finish();
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().find("catalog version 2") != std::string::npos);
  }
  CHECK(Held(f, "44") == 0);
}

TEST_CASE(
    "A province restored from an old backup re-aligns the national node with "
    "verify",
    "[sync]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 1000, 8);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  const std::string db_path = f.province("44").database();
  const std::string backup = f.dir().File("province-44.backup");
  {
    provincial::Store store = OpenStore(f, "44");
    NTMIS_ASSERT_OK(
        store.db().Exec(absl::StrCat("VACUUM INTO '", backup, "'")));
    // Work after the backup reaches the national node, then is lost.
    std::vector<std::string> numbers = TeacherNumbers(store);
    for (int i = 0; i < 20; ++i)
      NTMIS_ASSERT_OK(provincial::WithdrawTeacher(store, numbers[i]));
  }
  NTMIS_ASSERT_OK(f.Sync("44").status());
  CHECK(Held(f, "44") == 980);
  f.StopProvince("44");
  std::filesystem::remove(db_path + "-wal");
  std::filesystem::remove(db_path + "-shm");
  std::filesystem::copy_file(backup, db_path,
                             std::filesystem::copy_options::overwrite_existing);

  // Plain sync refuses and says what to do.
  absl::Status refused = f.Sync("44").status();
  CHECK(absl::IsFailedPrecondition(refused));
  CHECK(refused.message().find("sync --verify") != absl::string_view::npos);

  // The restored province is the system of record: its 1000 teachers count.
  auto v = ValueOrDie(f.Verify("44"));
  CHECK(v.realigned_from == 1020);
  CHECK(v.requeued == 20);
  CHECK(v.agreed);
  CHECK(Held(f, "44") == 1000);
  CHECK(f.NationalProblems("44").empty());

  // New work after the restore syncs normally and is not mistaken for old.
  provincial::Store store = OpenStore(f, "44");
  NTMIS_ASSERT_OK(
      provincial::WithdrawTeacher(store, TeacherNumbers(store)[500]));
  auto after = ValueOrDie(f.Sync("44"));
  CHECK(after.applied == 1);
  CHECK(Held(f, "44") == 999);
  CHECK(Agree(f, "44"));
}

}  // namespace
}  // namespace ntmis::testing
