// Certificate revocation end to end (common/pki/pki.h Revoke,
// common/revocation_ check.h): `pki revoke` refuses what it cannot do; a
// running national node refuses a revoked province or operator at the next
// connection without a restart, and ends connections opened before within its
// maximum connection age; provinces receive the list with their sync and then
// refuse a revoked national node; a list that cannot be found refuses everyone.
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base/config.h"
#include "common/pki/pki.h"
#include "common/pki/revocation_check.h"
#include "national/query/report_format.h"
#include "ntmis/v1/query.grpc.pb.h"
#include "ntmis/v1/sync.grpc.pb.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

grpc::Status Cursor(v1::NationalSync::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::Cursor cursor;
  return stub.GetCursor(&context, Hello(), &cursor);
}

grpc::Status Provinces(v1::NationalQuery::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ProvincesResponse response;
  return stub.Provinces(&context, {}, &response);
}

std::string SerialOf(const std::string& ca_dir, const std::string& identity) {
  for (const pki::IssuedCertificate& c : ValueOrDie(pki::ListIssued(ca_dir)))
    if (c.identity == identity) return c.serial;
  FAIL("no certificate of " << identity);
  return "";
}

uint64_t CrlNumber(const std::string& crl_file, const std::string& ca_cert) {
  return ValueOrDie(
             CheckRevocationList(ValueOrDie(ReadFile(crl_file)), ca_cert))
      .number;
}

TEST_CASE("pki revoke refuses what it cannot do and changes nothing",
          "[revocation]") {
  TempDir dir;
  TestPki pki(dir.path());
  pki.For(PeerIdentity::Province("44"));
  pki.For(PeerIdentity::Operator("alice"));
  const std::string crl = pki.ca_dir() + "/revoked.crl";
  const std::string before = ValueOrDie(ReadFile(crl));
  const std::string register_before =
      ValueOrDie(ReadFile(pki.ca_dir() + "/issued.tsv"));

  auto unknown =
      pki::Revoke(pki.ca_dir(), {"ABCDEF0123", "", "", "lost"}, 1000);
  CHECK(absl::IsNotFound(unknown.status()));
  CHECK_THAT(std::string(unknown.status().message()),
             Catch::Contains("serial ABCDEF0123"));
  CHECK(absl::IsInvalidArgument(
      pki::Revoke(pki.ca_dir(), {"", "44", "", ""}, 1000).status()));
  CHECK(absl::IsInvalidArgument(
      pki::Revoke(pki.ca_dir(), {"", "44", "alice", "x"}, 1000).status()));
  CHECK(absl::IsNotFound(
      pki::Revoke(pki.ca_dir(), {"", "32", "", "x"}, 1000).status()));
  CHECK(ValueOrDie(ReadFile(crl)) == before);
  CHECK(ValueOrDie(ReadFile(pki.ca_dir() + "/issued.tsv")) == register_before);

  const uint64_t number = CrlNumber(crl, pki.ca_cert());
  auto revoked = ValueOrDie(
      pki::Revoke(pki.ca_dir(), {"", "44", "", "key lost"}, 2000000000));
  REQUIRE(revoked.size() == 1);
  CHECK(revoked[0].identity == "spiffe://ntmis/province/44");
  CHECK(CrlNumber(crl, pki.ca_cert()) == number + 1);
  auto again = pki::Revoke(pki.ca_dir(), {"", "44", "", "again"}, 2000000000);
  CHECK(absl::IsFailedPrecondition(again.status()));
  bool listed = false;
  for (const pki::IssuedCertificate& c :
       ValueOrDie(pki::ListIssued(pki.ca_dir()))) {
    if (c.identity == "spiffe://ntmis/province/44") {
      listed = c.revoked_unix == 2000000000 && c.reason == "key lost";
    } else {
      CHECK(c.revoked_unix == 0);
    }
  }
  CHECK(listed);
}

TEST_CASE(
    "A running national node refuses revoked provinces and operators and their "
    "open connections end",
    "[revocation]") {
  Federation f;
  f.national_config().set_max_connection_age_seconds(2);
  f.national_config().set_max_connection_grace_seconds(1);
  f.StopNational();
  f.StartNational();
  f.AddProvince("44");
  f.AddProvince("11");
  NTMIS_ASSERT_OK(f.Sync("44").status());

  // A connection opened before the revocation.
  auto open = f.SyncStub(PeerIdentity::Province("44"));
  REQUIRE(Cursor(*open).ok());
  auto alice = f.QueryStub(PeerIdentity::Operator("alice"));
  REQUIRE(Provinces(*alice).ok());

  NTMIS_ASSERT_OK(pki::Revoke(f.pki().ca_dir(),
                              {"", "44", "", "node key copied"},
                              std::time(nullptr))
                      .status());
  NTMIS_ASSERT_OK(pki::Revoke(f.pki().ca_dir(),
                              {"", "", "alice", "left the ministry"},
                              std::time(nullptr))
                      .status());
  std::this_thread::sleep_for(std::chrono::milliseconds(
      1100));  // the list is read at most once a second

  // New connections: refused, no restart.
  CHECK_FALSE(f.Sync("44").ok());
  CHECK_FALSE(Cursor(*f.SyncStub(PeerIdentity::Province("44"))).ok());
  CHECK_FALSE(Provinces(*f.QueryStub(PeerIdentity::Operator("alice"))).ok());
  // Others are not.
  NTMIS_ASSERT_OK(f.Sync("11").status());
  CHECK(Provinces(*f.QueryStub(PeerIdentity::Operator("bob"))).ok());

  // The connections opened before end within age + grace (3 s) and are
  // refused when they reconnect.
  const auto revoked_at = Clock::now();
  bool province_cut = false, operator_cut = false;
  while (Clock::now() - revoked_at < std::chrono::seconds(10) &&
         !(province_cut && operator_cut)) {
    province_cut = province_cut || !Cursor(*open).ok();
    operator_cut = operator_cut || !Provinces(*alice).ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto took = Clock::now() - revoked_at;
  CHECK(province_cut);
  CHECK(operator_cut);
  CHECK(took < std::chrono::seconds(6));
}

TEST_CASE(
    "Provinces get the revocation list with their sync and refuse a revoked "
    "national node",
    "[revocation]") {
  Federation f;
  const v1::ProvincialConfig& p11 = f.AddProvince("11");
  NTMIS_ASSERT_OK(f.Sync("11").status());
  const uint64_t before = CrlNumber(p11.tls().crl_file(), f.pki().ca_cert());

  SECTION("a revoked national node") {
    NTMIS_ASSERT_OK(
        pki::Revoke(f.pki().ca_dir(),
                    {SerialOf(f.pki().ca_dir(), "spiffe://ntmis/national"), "",
                     "", "national key compromised"},
                    std::time(nullptr))
            .status());
    // The next sync brings the new list (the node's own certificate is not
    // checked against its own list)...
    NTMIS_ASSERT_OK(f.Sync("11").status());
    CHECK(CrlNumber(p11.tls().crl_file(), f.pki().ca_cert()) == before + 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    // ...and from then on the province refuses the national node.
    absl::Status refused = f.Sync("11").status();
    CHECK_FALSE(refused.ok());
  }
  SECTION("a list that cannot be found refuses every peer") {
    fs::rename(p11.tls().crl_file(), p11.tls().crl_file() + ".away");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK_FALSE(f.Sync("11").ok());
    fs::rename(p11.tls().crl_file() + ".away", p11.tls().crl_file());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    NTMIS_ASSERT_OK(f.Sync("11").status());

    const std::string national_crl = f.national_config().tls().crl_file();
    fs::rename(national_crl, national_crl + ".away");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK_FALSE(f.Sync("11").ok());
    CHECK_FALSE(Provinces(*f.QueryStub(PeerIdentity::Operator("alice"))).ok());
    fs::rename(national_crl + ".away", national_crl);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    NTMIS_ASSERT_OK(f.Sync("11").status());
  }
  SECTION("a list not signed by the federation CA is not kept") {
    TempDir other;
    TestPki stranger(other.path(), "Elsewhere");
    std::string foreign =
        ValueOrDie(ReadFile(stranger.ca_dir() + "/revoked.crl"));
    CHECK(absl::IsInvalidArgument(
        CheckRevocationList(foreign, f.pki().ca_cert()).status()));
  }
}

}  // namespace
}  // namespace ntmis::testing

namespace ntmis::testing {
namespace {

TEST_CASE(
    "A revoked province is told so and both sides can say which certificate",
    "[revocation]") {
  Federation f;
  f.national_config().set_metrics_listen("127.0.0.1:0");
  f.StopNational();
  f.StartNational();
  f.AddProvince("12");
  f.AddProvince("11");
  NTMIS_ASSERT_OK(f.Sync("12").status());
  auto open =
      f.SyncStub(PeerIdentity::Province("12"));  // a connection from before
  REQUIRE(Cursor(*open).ok());
  const std::string serial =
      SerialOf(f.pki().ca_dir(), "spiffe://ntmis/province/12");
  NTMIS_ASSERT_OK(pki::Revoke(f.pki().ca_dir(),
                              {"", "12", "", "node key copied"},
                              std::time(nullptr))
                      .status());
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1100));  // read at most once a second

  // The province hears why: not "Socket closed" but its certificate, by
  // serial, revoked — on a new connection and on the one already open.
  absl::StatusOr<provincial::SyncReport> sync = f.Sync("12");
  REQUIRE_FALSE(sync.ok());
  CHECK(absl::IsUnauthenticated(sync.status()));
  CHECK_THAT(std::string(sync.status().message()),
             Catch::Contains(kCertificateRevoked));
  CHECK_THAT(std::string(sync.status().message()), Catch::Contains(serial));
  CHECK_THAT(std::string(sync.status().message()),
             Catch::Contains("spiffe://ntmis/province/12"));
  grpc::Status again = Cursor(*open);
  CHECK(again.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(again.error_message(), Catch::Contains(serial));
  // …and its sync status says so.
  v1::SyncHealth health = ValueOrDie(f.Admin("12")->GetSyncHealth());
  CHECK_THAT(health.last_error(), Catch::Contains("revoked"));
  CHECK_THAT(health.last_error(), Catch::Contains(serial));
  // Another province is not affected.
  NTMIS_ASSERT_OK(f.Sync("11").status());

  // The national node: query provinces, the metrics and the audit.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ProvincesResponse provinces;
  REQUIRE(f.QueryStub(PeerIdentity::Operator("alice"))
              ->Provinces(&context, {}, &provinces)
              .ok());
  bool shown = false;
  for (const v1::ProvinceHealth& p : provinces.provinces()) {
    if (p.province() == "12") {
      shown = p.revoked_serial() == serial && p.revoked_refused_calls() >= 2 &&
              p.revoked_unix() > 0 && p.revoked_refused_unix() > 0;
    } else {
      CHECK(p.revoked_serial().empty());
    }
  }
  CHECK(shown);
  const std::string table = national::FormatProvinces(
      provinces, national::Format::kTable, std::time(nullptr));
  CHECK_THAT(table, Catch::Contains("REVOKED"));
  CHECK_THAT(table,
             Catch::Contains("revoked 12: certificate serial " + serial));

  httplib::Client scrape("127.0.0.1", f.national().metrics_port());
  httplib::Result metrics = scrape.Get("/metrics");
  REQUIRE(metrics);
  CHECK_THAT(
      metrics->body,
      Catch::Contains(
          "ntmis_tls_peers_refused_total{peer=\"spiffe://ntmis/province/12\","
          "reason=\"revoked\"}"));
  f.FlushAudits();
  std::vector<StoredAuditEntry> refused =
      ValueOrDie(f.national().store().audit().Query(
          {"spiffe://ntmis/province/12", "tls.refused"}));
  REQUIRE(refused.size() ==
          1);  // the first refusal; the next within a minute are counted
  CHECK_THAT(refused[0].entry.detail, Catch::Contains(serial));
  CHECK(refused[0].entry.result == "UNAUTHENTICATED");
}

}  // namespace
}  // namespace ntmis::testing

namespace ntmis::testing {
namespace {

// The CRL distribution point named in a certificate file, or "".
std::string DistributionPoint(const std::string& cert_file) {
  std::string pem = ValueOrDie(ReadFile(cert_file));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE(cert != nullptr);
  std::string uri;
  auto* points = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  for (int i = 0; points != nullptr && i < sk_DIST_POINT_num(points); ++i) {
    DIST_POINT* p = sk_DIST_POINT_value(points, i);
    if (p->distpoint == nullptr || p->distpoint->type != 0) continue;
    GENERAL_NAMES* names = p->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      GENERAL_NAME* n = sk_GENERAL_NAME_value(names, j);
      if (n->type == GEN_URI)
        uri.assign(reinterpret_cast<const char*>(
                       ASN1_STRING_get0_data(n->d.uniformResourceIdentifier)),
                   ASN1_STRING_length(n->d.uniformResourceIdentifier));
    }
  }
  CRL_DIST_POINTS_free(points);
  X509_free(cert);
  return uri;
}

TEST_CASE(
    "Certificates name where the revocation list is published and the national "
    "node serves it",
    "[revocation]") {
  Federation f;
  f.national_config().set_crl_listen("127.0.0.1:0");
  f.StopNational();
  f.StartNational();
  const int port = f.national().crl_port();
  REQUIRE(port > 0);
  CHECK(absl::IsInvalidArgument(
      pki::SetCrlUrl(f.pki().ca_dir(), "https://example/revoked.crl")));
  CHECK(
      absl::IsInvalidArgument(pki::SetCrlUrl(f.pki().ca_dir(), "revoked.crl")));
  const std::string url =
      absl::StrCat("http://127.0.0.1:", port, "/revoked.crl");
  NTMIS_ASSERT_OK(pki::SetCrlUrl(f.pki().ca_dir(), url));
  const v1::TlsFiles issued = f.pki().For(PeerIdentity::Province("45"));
  REQUIRE(DistributionPoint(issued.cert()) == url);

  // What a client outside the federation does: fetch the list named there
  // and find it is the CA's, revocations included.
  NTMIS_ASSERT_OK(
      pki::Revoke(f.pki().ca_dir(), {"", "45", "", "lost"}, std::time(nullptr))
          .status());
  httplib::Client client("127.0.0.1", port);
  httplib::Result got = client.Get("/revoked.crl");
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->get_header_value("Content-Type") == "application/pkix-crl");
  const unsigned char* der =
      reinterpret_cast<const unsigned char*>(got->body.data());
  X509_CRL* crl =
      d2i_X509_CRL(nullptr, &der, static_cast<long>(got->body.size()));
  REQUIRE(crl != nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_CRL(out, crl);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const std::string pem(data, static_cast<size_t>(size));
  BIO_free(out);
  X509_CRL_free(crl);
  RevocationListInfo info =
      ValueOrDie(CheckRevocationList(pem, f.pki().ca_cert()));
  CHECK(info.number ==
        CrlNumber(f.pki().ca_dir() + "/revoked.crl", f.pki().ca_cert()));
  CHECK(info.revoked == 1);
}

}  // namespace
}  // namespace ntmis::testing
