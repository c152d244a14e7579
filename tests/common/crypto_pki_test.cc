// Crypto primitives and the federation PKI.
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "common/crypto/crypto.h"
#include "common/pki/pki.h"
#include "tests/support/test_support.h"

namespace ntmis {
namespace {

using testing::TempDir;

TEST_CASE("Passwords hash with scrypt and salt", "[crypto]") {
  std::string a = *crypto::HashPassword("Secret-123");
  std::string b = *crypto::HashPassword("Secret-123");
  CHECK(a != b);  // salted
  CHECK(a.rfind("scrypt$", 0) == 0);
  CHECK(a.find("Secret") == std::string::npos);
  CHECK(crypto::VerifyPassword("Secret-123", a));
  CHECK_FALSE(crypto::VerifyPassword("Secret-124", a));
  CHECK_FALSE(crypto::VerifyPassword("Secret-123", "garbage"));
}

TEST_CASE("Sealed values open only with their key and intact", "[crypto]") {
  std::string key = crypto::RandomBytes(32);
  std::string sealed = *crypto::Seal(key, "11010519491231002X");
  CHECK(sealed.find("110105") == std::string::npos);
  CHECK(*crypto::Open(key, sealed) == "11010519491231002X");
  std::string tampered = sealed;
  tampered[15] ^= 1;
  CHECK(absl::IsDataLoss(crypto::Open(key, tampered).status()));
  CHECK(
      absl::IsDataLoss(crypto::Open(crypto::RandomBytes(32), sealed).status()));
}

TEST_CASE("The CA issues certificates with a SPIFFE URI SAN", "[pki]") {
  TempDir dir;
  NTMIS_ASSERT_OK(pki::InitCa(dir.File("ca"), "Test"));
  CHECK(absl::IsAlreadyExists(pki::InitCa(dir.File("ca"), "Test")));
  pki::IssueRequest request{
      PeerIdentity::Province("44"), "", {"localhost"}, {"127.0.0.1"}};
  NTMIS_ASSERT_OK(pki::Issue(dir.File("ca"), request, dir.File("p44")));

  FILE* f = std::fopen(dir.File("p44.crt").c_str(), "r");
  REQUIRE(f != nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  REQUIRE(cert != nullptr);
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  REQUIRE(names != nullptr);
  std::vector<std::string> uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_URI)
      uris.emplace_back(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.ia5)));
  }
  GENERAL_NAMES_free(names);

  // Verifies against the CA.
  FILE* caf = std::fopen(dir.File("ca/ca.crt").c_str(), "r");
  X509* ca = PEM_read_X509(caf, nullptr, nullptr, nullptr);
  std::fclose(caf);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  CHECK(X509_verify_cert(ctx) == 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(cert);
  CHECK(uris == std::vector<std::string>{"spiffe://ntmis/province/44"});

  struct stat st;
  REQUIRE(stat(dir.File("p44.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE(
    "The CA refuses a validity that has ended or outlives it and keeps its key "
    "private",
    "[pki]") {
  TempDir dir;
  NTMIS_ASSERT_OK(pki::InitCa(dir.File("ca"), "Test"));
  CHECK((std::filesystem::status(dir.File("ca")).permissions() &
         (std::filesystem::perms::group_all |
          std::filesystem::perms::others_all)) == std::filesystem::perms::none);
  pki::IssueRequest request{
      PeerIdentity::Province("44"), "", {"localhost"}, {"127.0.0.1"}};
  request.days = 0;
  absl::Status expired = pki::Issue(dir.File("ca"), request, dir.File("p44"));
  CHECK(absl::IsInvalidArgument(expired));
  CHECK_THAT(std::string(expired.message()), Catch::Contains("at least 1 day"));
  request.days = 5000;
  absl::Status too_long = pki::Issue(dir.File("ca"), request, dir.File("p44"));
  CHECK(absl::IsInvalidArgument(too_long));
  CHECK_THAT(std::string(too_long.message()),
             Catch::Contains("cannot outlive the CA"));
  CHECK(!std::filesystem::exists(dir.File("p44.crt")));
  request.days = 30;
  NTMIS_ASSERT_OK(pki::Issue(dir.File("ca"), request, dir.File("p44")));
}

TEST_CASE("Peer identities parse only federation URIs", "[pki]") {
  CHECK(ParsePeerIdentity("spiffe://ntmis/province/44")->name == "44");
  CHECK(ParsePeerIdentity("spiffe://ntmis/operator/alice")->kind ==
        PeerIdentity::Kind::kOperator);
  CHECK(ParsePeerIdentity("spiffe://ntmis/national")->kind ==
        PeerIdentity::Kind::kNational);
  CHECK_FALSE(ParsePeerIdentity("spiffe://ntmis/province/99").ok());
  CHECK_FALSE(ParsePeerIdentity("spiffe://other/province/44").ok());
  CHECK_FALSE(ParsePeerIdentity("spiffe://ntmis/operator/").ok());
  // Operators carry a role; one issued before roles existed is a querier.
  auto admin = ParsePeerIdentity("spiffe://ntmis/operator/admin/li.wei");
  REQUIRE(admin.ok());
  CHECK(admin->name == "li.wei");
  CHECK(admin->role == OperatorRole::kAdmin);
  CHECK(admin->Uri() == "spiffe://ntmis/operator/admin/li.wei");
  CHECK(ParsePeerIdentity("spiffe://ntmis/operator/alice")->role ==
        OperatorRole::kQuerier);
  CHECK_FALSE(ParsePeerIdentity("spiffe://ntmis/operator/boss/alice").ok());
  CHECK_FALSE(ParsePeerIdentity("spiffe://ntmis/operator/manager/").ok());
}

}  // namespace
}  // namespace ntmis
