// Who may talk to whom: mutual TLS with the federation CA only, identities
// from certificates, scope and role checks, all refusals audited.
#include <grpcpp/generic/generic_stub.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/config.h"
#include "common/pki/tls.h"
#include "common/rpc/health_probe.h"
#include "common/sql/sqlite.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

grpc::Status GetCursor(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::NationalSync::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(Soon());
  v1::Cursor cursor;
  return stub->GetCursor(&context, Hello(), &cursor);
}

int64_t AuditRows(Federation& f, const std::string& where) {
  f.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.dir().File("national/national.db")));
  return ValueOrDie(
      db.QueryInt(absl::StrCat("SELECT COUNT(*) FROM audit WHERE ", where)));
}

TEST_CASE("Only certificates from the federation CA can connect",
          "[security]") {
  Federation f;
  // No client certificate at all.
  v1::TlsFiles anonymous;
  anonymous.set_ca_cert(f.pki().ca_cert());
  CHECK(GetCursor(f.ChannelAs(anonymous)).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  // A well-formed province certificate from another CA.
  TempDir other_dir;
  TestPki other(other_dir.path(), "Impostor");
  v1::TlsFiles foreign = other.For(PeerIdentity::Province("44"));
  foreign.set_ca_cert(f.pki().ca_cert());  // trusts the real server
  CHECK(GetCursor(f.ChannelAs(foreign)).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  // The real province certificate works.
  CHECK(GetCursor(f.ChannelAs(f.pki().For(PeerIdentity::Province("44")))).ok());
}

TEST_CASE("The files the nodes create are readable by their user only",
          "[security]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 50, 3);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  std::vector<std::string> files = {f.province("44").database()};
  for (const auto& entry :
       std::filesystem::directory_iterator(f.national_data_dir()))
    if (absl::EndsWith(entry.path().string(), ".db"))
      files.push_back(entry.path().string());
  REQUIRE(files.size() >= 3);  // province.db, national.db, province-44.db
  for (const std::string& db : files) {
    for (const std::string& file : {db, db + "-wal", db + "-shm"}) {
      if (!std::filesystem::exists(file)) continue;
      INFO(file);
      CHECK((std::filesystem::status(file).permissions() &
             (std::filesystem::perms::group_all |
              std::filesystem::perms::others_all)) ==
            std::filesystem::perms::none);
    }
  }
}

// The services a node lists through server reflection (the v1alpha
// ServerReflectionInfo stream, encoded by hand: Debian's gRPC ships no
// generated reflection client): the raw bytes of the first answer to
// ServerReflectionRequest{list_services: ""}.
absl::StatusOr<std::string> ListServices(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context,
                               "/grpc.reflection.v1alpha.ServerReflection/"
                               "ServerReflectionInfo",
                               &queue);
  auto step = [&queue](int expected) {
    void* tag = nullptr;
    bool ok = false;
    return queue.Next(&tag, &ok) && ok &&
           tag == reinterpret_cast<void*>(expected);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1))
    return absl::UnavailableError("reflection: the call did not start");
  grpc::Slice request(
      std::string("\x3a\x00", 2));  // field 7, list_services: ""
  grpc::ByteBuffer out(&request, 1), in;
  call->Write(out, reinterpret_cast<void*>(2));
  if (!step(2)) return absl::UnavailableError("reflection: cannot send");
  call->WritesDone(reinterpret_cast<void*>(3));
  if (!step(3))
    return absl::UnavailableError("reflection: cannot close the request side");
  call->Read(&in, reinterpret_cast<void*>(4));
  if (!step(4)) return absl::UnavailableError("reflection: no answer");
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  queue.Shutdown();
  void* tag;
  bool ok;
  while (queue.Next(&tag, &ok)) {
  }
  std::vector<grpc::Slice> slices;
  (void)in.Dump(&slices);
  std::string answer;
  for (const grpc::Slice& s : slices)
    answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return answer;
}

TEST_CASE(
    "Both nodes answer the gRPC health check and list their services over "
    "their TLS channels",
    "[security]") {
  Federation f;
  f.AddProvince("44");
  auto national = f.ChannelAs(f.pki().For(PeerIdentity::Operator("probe")));
  CHECK(ValueOrDie(ProbeHealth(national, std::chrono::seconds(10))) ==
        "SERVING");
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ValueOrDie(ReadFile(f.pki().ca_cert()));
  auto province =
      grpc::CreateChannel(f.province_address("44"), grpc::SslCredentials(tls));
  CHECK(ValueOrDie(ProbeHealth(province, std::chrono::seconds(10))) ==
        "SERVING");
  // Server reflection lists each node's services, over the same channels.
  CHECK_THAT(ValueOrDie(ListServices(national)),
             Catch::Contains("ntmis.v1.NationalSync") &&
                 Catch::Contains("ntmis.v1.NationalQuery"));
  CHECK_THAT(ValueOrDie(ListServices(province)),
             Catch::Contains("ntmis.v1.ProvincialApi") &&
                 Catch::Contains("grpc.health.v1.Health"));
}

TEST_CASE("A draining node answers NOT_SERVING before it stops", "[security]") {
  Federation f;
  auto national = f.ChannelAs(f.pki().For(PeerIdentity::Operator("probe")));
  REQUIRE(ValueOrDie(ProbeHealth(national, std::chrono::seconds(10))) ==
          "SERVING");
  // As on SIGTERM: a drain with a few seconds' grace.
  std::thread drain([&f] { f.national().Shutdown(std::chrono::seconds(3)); });
  bool not_serving = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!not_serving && std::chrono::steady_clock::now() < until) {
    absl::StatusOr<std::string> health =
        ProbeHealth(national, std::chrono::milliseconds(500));
    not_serving = health.ok() && *health == "NOT_SERVING";
  }
  drain.join();
  CHECK(not_serving);
  CHECK_FALSE(
      ProbeHealth(national, std::chrono::milliseconds(500)).ok());  // stopped
}

TEST_CASE("A province may not push another province's records", "[security]") {
  Federation f;
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  grpc::ClientContext context;
  context.set_deadline(Soon());
  auto stream = stub->Push(&context);
  v1::PushBatch batch;
  v1::Change* change = batch.add_changes();
  change->set_seq(1);
  *change->mutable_record() = SampleRecord(11, 1);
  change->set_teacher_number(change->record().teacher_number());
  stream->Write(batch);
  stream->WritesDone();
  v1::PushAck ack;
  REQUIRE(stream->Read(&ack));  // the refusal
  CHECK(ack.error_code() ==
        static_cast<uint32_t>(absl::StatusCode::kPermissionDenied));
  CHECK_FALSE(stream->Read(&ack));
  grpc::Status status = stream->Finish();
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(status.error_message(),
             Catch::Contains("province 44 may not write"));
  auto db = ValueOrDie(f.national().store().Province("44", false));
  CHECK(ValueOrDie(db->State()).records == 0);
  CHECK(AuditRows(f,
                  "action = 'sync.push' AND result = 'PERMISSION_DENIED' AND "
                  "actor = 'spiffe://ntmis/province/44'") == 1);
}

TEST_CASE("Operators query and provinces sync and neither does the other job",
          "[security]") {
  Federation f;
  // An operator certificate calling sync.
  grpc::Status as_operator =
      GetCursor(f.ChannelAs(f.pki().For(PeerIdentity::Operator("alice"))));
  CHECK(as_operator.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(as_operator.error_message(),
             Catch::Contains("province node certificate"));
  // A province certificate calling an operator query.
  auto stub = f.QueryStub(PeerIdentity::Province("44"));
  grpc::ClientContext context;
  context.set_deadline(Soon());
  v1::AggregateRequest request;
  request.add_group_by("province");
  v1::AggregateResponse response;
  grpc::Status as_province = stub->Aggregate(&context, request, &response);
  CHECK(as_province.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(as_province.error_message(),
             Catch::Contains("operator certificate"));
  CHECK(AuditRows(f, "result = 'PERMISSION_DENIED'") == 2);
  CHECK(ValueOrDie(f.national().store().audit().Verify()) >= 2);

  // Bad query input is INVALID_ARGUMENT with the allowed values.
  auto op = f.QueryStub(PeerIdentity::Operator("alice"));
  for (auto [by, expect] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"shoe_size"}, "allowed: province, city"},
           {{"province", "city", "county", "gender", "title"}, "at most 4"}}) {
    grpc::ClientContext c;
    c.set_deadline(Soon());
    v1::AggregateRequest r;
    for (const auto& d : by) r.add_group_by(d);
    grpc::Status s = op->Aggregate(&c, r, &response);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(s.error_message(), Catch::Contains(expect));
  }
}

TEST_CASE(
    "Operator roles decide who may look up a teacher and every look-up is "
    "audited with its reason",
    "[security]") {
  Federation f;
  f.AddProvince("44");
  const std::string csv = f.LoadSynthetic("44", 50, 5);
  NTMIS_ASSERT_OK(f.Sync("44").status());
  // The first teacher of the file: name and ID-card number.
  const std::vector<std::string> first = absl::StrSplit(
      std::vector<std::string>(absl::StrSplit(csv, '\n'))[1], ',');
  const std::string name = first[0], id_card = first[3];

  auto lookup = [&](OperatorRole role, v1::LookupRequest request,
                    v1::LookupResponse* out) {
    auto stub = f.QueryStub(PeerIdentity::Operator("op", role));
    grpc::ClientContext c;
    c.set_deadline(Soon());
    return stub->Lookup(&c, request, out);
  };
  v1::LookupRequest by_id;
  by_id.set_id_card_number(id_card);
  by_id.set_reason("hiring check, case 2026-118");
  v1::LookupResponse response;

  // A querier may aggregate but not look up.
  grpc::Status s = lookup(OperatorRole::kQuerier, by_id, &response);
  CHECK(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(s.error_message(),
             Catch::Contains("须由信息管理员或系统管理员进行"));
  // A manager finds the person by ID-card number.
  s = lookup(OperatorRole::kManager, by_id, &response);
  REQUIRE(s.ok());
  REQUIRE(response.matches_size() == 1);
  CHECK(response.matches(0).province() == "44");
  CHECK(response.matches(0).record().name() == name);
  // ... and an admin by teacher number.
  v1::LookupRequest by_number;
  by_number.set_teacher_number(response.matches(0).record().teacher_number());
  by_number.set_reason("annual audit");
  s = lookup(OperatorRole::kAdmin, by_number, &response);
  REQUIRE(s.ok());
  CHECK(response.matches(0).record().name() == name);
  // No reason, a malformed key, nobody: refused with what is needed.
  v1::LookupRequest no_reason = by_number;
  no_reason.clear_reason();
  s = lookup(OperatorRole::kAdmin, no_reason, &response);
  CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(s.error_message(), Catch::Contains("须填写事由"));
  v1::LookupRequest bad_id = by_id;
  bad_id.set_id_card_number("440201198110269600");
  s = lookup(OperatorRole::kAdmin, bad_id, &response);
  CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  v1::LookupRequest nobody = by_number;
  nobody.set_teacher_number(SampleRecord(44, 999999).teacher_number());
  s = lookup(OperatorRole::kAdmin, nobody, &response);
  CHECK(s.error_code() == grpc::StatusCode::NOT_FOUND);

  // Each attempt is on record with who, what and why; the ID-card number
  // only masked.
  CHECK(AuditRows(f, "action = 'query.lookup'") == 6);
  CHECK(AuditRows(f,
                  "action = 'query.lookup' AND result = 'ok' AND "
                  "actor = 'spiffe://ntmis/operator/manager/op' AND "
                  "detail LIKE '%hiring check, case 2026-118%'") == 1);
  CHECK(
      AuditRows(f,
                "action = 'query.lookup' AND result = 'PERMISSION_DENIED' AND "
                "actor = 'spiffe://ntmis/operator/querier/op'") == 1);
  CHECK(AuditRows(f, absl::StrCat("target LIKE '%", id_card,
                                  "%' OR detail LIKE '%", id_card, "%'")) == 0);
  CHECK(ValueOrDie(f.national().store().audit().Verify()) >= 6);
}

TEST_CASE("The provincial API needs a login and a province-level role",
          "[security]") {
  Federation f;
  f.AddProvince("44");
  auto client = ValueOrDie(provincial::ApiClient::Connect(
      f.province_address("44"), f.pki().ca_cert()));
  CHECK(absl::IsUnauthenticated(
      client->ImportData(provincial::ImportTarget::kTeachers, "x", true)
          .status()));
  CHECK(absl::IsUnauthenticated(client->Login("admin", "wrong-Passw0rd")));
  CHECK(absl::IsUnauthenticated(client->Login("nobody", kAdminPassword)));
  NTMIS_ASSERT_OK(client->Login("admin", kAdminPassword));
  auto report = client->ImportData(provincial::ImportTarget::kTeachers,
                                   "name,gender\n", /*dry_run=*/true);
  NTMIS_ASSERT_OK(report.status());
  CHECK(report->problems_total() > 0);

  f.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.province("44").database()));
  CHECK(ValueOrDie(db.QueryInt(
            "SELECT COUNT(*) FROM audit WHERE action = 'user.login' "
            "AND result = 'UNAUTHENTICATED'")) == 2);
  // Neither passwords nor tokens are stored in the clear.
  CHECK(ValueOrDie(db.QueryInt(absl::StrCat(
            "SELECT COUNT(*) FROM users WHERE instr(password_hash, '",
            kAdminPassword, "')"))) == 0);
}

}  // namespace
}  // namespace ntmis::testing
