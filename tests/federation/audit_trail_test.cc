// The audit trail across the federation (docs/operators.md, "The audit
// trail"): each sync hands the province's audit head to the national node,
// which flags a province whose chain was cut short, rewritten with every
// hash recomputed and its anchor re-keyed, or replaced by an older copy —
// even when the province's own anchor was put back too — and shows it in
// `query provinces` until an operator accepts the chain.
#include <catch2/catch.hpp>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_anchor.h"
#include "common/audit/audit_log.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/provincial.grpc.pb.h"
#include "ntmis/v1/query.grpc.pb.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

namespace fs = std::filesystem;
using Stub = v1::ProvincialApi::StubInterface;

v1::ProvinceHealth Health(Federation& f, const std::string& code) {
  auto stub = f.QueryStub(PeerIdentity::Operator("alice"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::ProvincesResponse response;
  grpc::Status status = stub->Provinces(&context, {}, &response);
  REQUIRE(status.ok());
  for (const v1::ProvinceHealth& h : response.provinces())
    if (h.province() == code) return h;
  FAIL("no province " << code);
  return {};
}

// Some audited work at the province: a few calls by its administrator.
void Work(Federation& f, const std::string& code, int calls) {
  auto admin = f.Admin(code);
  for (int i = 0; i < calls; ++i)
    (void)admin->Call(&Stub::ListUsers, v1::ListUsersRequest());
  f.FlushAudits();
}

uint64_t Entries(const std::string& db_path) {
  sql::Database db = ValueOrDie(sql::Database::Open(db_path, {}));
  return static_cast<uint64_t>(
      ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM audit")));
}

// What an attacker holding the database and the anchor key does: recompute
// every hash, then write an anchor for the new head with the key.
void RecomputeChainAndAnchor(const std::string& db_path) {
  const AuditHead head = RecomputeAuditChain(db_path);
  AuditAnchor anchor = ValueOrDie(AuditAnchor::Open(db_path));
  NTMIS_ASSERT_OK(anchor.Write(head));
}

TEST_CASE(
    "Each sync hands the audit head over and the national node keeps its own "
    "chain anchored",
    "[audit]") {
  Federation f;
  f.AddProvince("44");
  Work(f, "44", 5);
  auto report = ValueOrDie(f.Sync("44"));
  CHECK(report.audit_problem.empty());
  const uint64_t entries = Entries(f.province("44").database());
  v1::ProvinceHealth h = Health(f, "44");
  CHECK(h.audit_entries() > 0);
  CHECK(h.audit_entries() <= entries);
  CHECK(h.audit_problem().empty());
  // The province's own check passes, and so does the national node's.
  v1::VerifyAuditResponse verified = ValueOrDie(
      f.Admin("44")->Call(&Stub::VerifyAudit, v1::VerifyAuditRequest()));
  CHECK(verified.intact());
  f.FlushAudits();
  NTMIS_ASSERT_OK(f.national().store().audit().Verify().status());
  CHECK(fs::exists(f.national_data_dir() + "/national.db.audit-anchor"));
}

TEST_CASE(
    "Entries cut off a running province's audit log are found by the province "
    "and the nation",
    "[audit]") {
  Federation f;
  f.AddProvince("44");
  Work(f, "44", 10);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  const std::string db = f.province("44").database();
  const uint64_t held = Health(f, "44").audit_entries();
  REQUIRE(held > 5);
  TamperAudit(db, absl::StrCat("DELETE FROM audit WHERE id > ", held - 5));

  v1::VerifyAuditResponse verified = ValueOrDie(
      f.Admin("44")->Call(&Stub::VerifyAudit, v1::VerifyAuditRequest()));
  CHECK_FALSE(verified.intact());
  CHECK_THAT(verified.problem(), Catch::Contains("cut short"));

  auto report = ValueOrDie(f.Sync("44"));
  CHECK_THAT(report.audit_problem, Catch::Contains("went backwards"));
  v1::ProvinceHealth h = Health(f, "44");
  CHECK_THAT(h.audit_problem(), Catch::Contains("went backwards"));
  CHECK(h.audit_problem_unix() > 0);
  CHECK(h.audit_entries() == held);  // the head held is kept
  // The next sync reports it again; an operator accepts the chain, and the
  // sync after that anchors it afresh.
  CHECK_THAT(ValueOrDie(f.Sync("44")).audit_problem,
             Catch::Contains("went backwards"));
  NTMIS_ASSERT_OK(f.national().store().audit_anchors().Accept("44"));
  CHECK(ValueOrDie(f.Sync("44")).audit_problem.empty());
  CHECK(Health(f, "44").audit_problem().empty());
  CHECK(absl::IsNotFound(f.national().store().audit_anchors().Accept("32")));
}

TEST_CASE(
    "A rewritten chain with a re-keyed anchor and an older copy put back are "
    "found by the nation",
    "[audit]") {
  Federation f;
  f.AddProvince("44");
  Work(f, "44", 8);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  const std::string db = f.province("44").database();

  SECTION("rewritten, hashes recomputed, anchor written with the key") {
    f.StopProvince("44");
    TamperAudit(db,
                "UPDATE audit SET detail = 'nothing happened' WHERE id = 3");
    RecomputeChainAndAnchor(db);
    // The province's own files agree with each other now...
    CHECK(ValueOrDie(ValueOrDie(AuditLog::Open(db))->Verify()) == Entries(db));
    // ...but not with what it handed the national node.
    auto report = ValueOrDie(f.Sync("44"));
    CHECK_THAT(report.audit_problem, Catch::Contains("rewritten"));
    CHECK_THAT(Health(f, "44").audit_problem(), Catch::Contains("rewritten"));
  }
  SECTION("an older copy of the database and its anchor put back") {
    f.StopProvince("44");
    {
      sql::Database old = ValueOrDie(sql::Database::Open(db, {}));
      NTMIS_ASSERT_OK(
          old.Exec(absl::StrCat("VACUUM INTO '", f.dir().File("old.db"), "'")));
    }
    fs::copy_file(db + ".audit-anchor", f.dir().File("old.db.audit-anchor"));
    // More work and a sync after the copy was taken.
    {
      auto log = ValueOrDie(AuditLog::Open(db));
      for (int i = 0; i < 20; ++i)
        log->Append({"admin", "user.list", "", "ok", ""});
    }
    NTMIS_ASSERT_OK(f.Sync("44").status());
    CHECK(Health(f, "44").audit_problem().empty());
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(db + suffix);
    fs::copy_file(f.dir().File("old.db"), db,
                  fs::copy_options::overwrite_existing);
    fs::copy_file(f.dir().File("old.db.audit-anchor"), db + ".audit-anchor",
                  fs::copy_options::overwrite_existing);
    CHECK(ValueOrDie(ValueOrDie(AuditLog::Open(db))->Verify()) >
          0);  // consistent locally
    auto report = ValueOrDie(f.Sync("44"));
    CHECK_THAT(report.audit_problem, Catch::Contains("went backwards"));
  }
}

}  // namespace
}  // namespace ntmis::testing
