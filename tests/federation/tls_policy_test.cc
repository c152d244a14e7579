// The TLS policy of all three ports (common/pki/tls_policy.h), probed from
// outside with OpenSSL as testssl.sh does: no suite without AEAD and no
// protocol before TLS 1.2 is ever accepted, TLS 1.3 and the AEAD suites are,
// and the server's order decides; and a console certificate from a
// province's own organisation's CA (web_tls) serves browsers that trust only
// that CA.
#include "common/pki/tls_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/base/config.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

struct Handshake {
  bool ok = false;
  std::string cipher;
  std::string version;
};

struct Probe {
  int version = TLS1_2_VERSION;  // the only protocol offered
  std::string ciphers;           // TLS 1.2 list, or TLS 1.3 suites
  const v1::TlsFiles* identity = nullptr;
  std::string trust;  // a CA file: verify the server and its name "localhost"
};

// One handshake with 127.0.0.1:`port`, offering only what `probe` says. The
// client itself allows everything (security level 0): the server decides.
Handshake Connect(int port, const Probe& probe) {
  Handshake result;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, probe.version);
  SSL_CTX_set_max_proto_version(ctx, probe.version);
  const bool set =
      probe.version == TLS1_3_VERSION
          ? SSL_CTX_set_ciphersuites(ctx, probe.ciphers.c_str()) == 1
          : SSL_CTX_set_cipher_list(
                ctx, (probe.ciphers + ":@SECLEVEL=0").c_str()) == 1;
  static const unsigned char kAlpn[] = {2,   'h', '2', 8,   'h', 't',
                                        't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof(kAlpn));
  if (probe.identity != nullptr) {
    SSL_CTX_use_certificate_chain_file(ctx, probe.identity->cert().c_str());
    SSL_CTX_use_PrivateKey_file(ctx, probe.identity->key().c_str(),
                                SSL_FILETYPE_PEM);
  }
  if (!probe.trust.empty()) {
    SSL_CTX_load_verify_locations(ctx, probe.trust.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (set &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (!probe.trust.empty()) SSL_set1_host(ssl, "localhost");
    if (SSL_connect(ssl) == 1) {
      result.ok = true;
      result.cipher = SSL_get_cipher_name(ssl);
      result.version = SSL_get_version(ssl);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ERR_clear_error();
  ::close(fd);
  SSL_CTX_free(ctx);
  return result;
}

// Every TLS 1.2-or-older suite OpenSSL knows that is not AEAD.
std::vector<std::string> NonAeadSuites() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  SSL* ssl = SSL_new(ctx);
  std::vector<std::string> names;
  STACK_OF(SSL_CIPHER)* all = SSL_get1_supported_ciphers(ssl);
  if (all == nullptr) all = sk_SSL_CIPHER_dup(SSL_get_ciphers(ssl));
  for (int i = 0; i < sk_SSL_CIPHER_num(all); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
    const std::string name = SSL_CIPHER_get_name(c);
    if (name.rfind("TLS_", 0) == 0 || SSL_CIPHER_is_aead(c))
      continue;  // TLS 1.3, or AEAD
    names.push_back(SSL_CIPHER_get_name(c));
  }
  sk_SSL_CIPHER_free(all);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return names;
}

// What testssl.sh checks on one port.
void CheckPort(int port, const v1::TlsFiles* identity,
               const std::string& tls12_expected) {
  const std::vector<std::string> weak = NonAeadSuites();
  REQUIRE(weak.size() > 20);
  for (const std::string& suite : weak) {
    INFO("suite " << suite);
    CHECK_FALSE(Connect(port, {TLS1_2_VERSION, suite, identity}).ok);
  }
  for (int old : {TLS1_VERSION, TLS1_1_VERSION}) {
    INFO("protocol " << old);
    CHECK_FALSE(Connect(port, {old, "ALL:COMPLEMENTOFALL", identity}).ok);
  }
  Handshake tls13 = Connect(port, {TLS1_3_VERSION, kTls13Suites, identity});
  CHECK(tls13.ok);
  CHECK(tls13.version == "TLSv1.3");
  // The server's order: the same suite whichever order the client offers.
  const std::string forward =
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384";
  const std::string backward =
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-CHACHA20-POLY1305";
  Handshake a = Connect(port, {TLS1_2_VERSION, forward, identity});
  Handshake b = Connect(port, {TLS1_2_VERSION, backward, identity});
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(a.cipher == tls12_expected);
  CHECK(b.cipher == tls12_expected);
}

TEST_CASE(
    "Every port offers TLS 1.2 AEAD suites and TLS 1.3 only in the server's "
    "order",
    "[tls]") {
  Federation fed;
  fed.AddProvince("44");
  const int console = fed.StartConsole("44");
  const v1::TlsFiles province = fed.pki().For(PeerIdentity::Province("44"));

  SECTION("the web console") {
    CheckPort(console, nullptr, "ECDHE-ECDSA-AES128-GCM-SHA256");
  }
  SECTION("the provincial API") {
    const std::string address = fed.province_address("44");
    CheckPort(std::stoi(address.substr(address.rfind(':') + 1)), nullptr,
              kGrpcTls12Cipher);
  }
  SECTION("the national node") {
    const std::string address = fed.national_address();
    CheckPort(std::stoi(address.substr(address.rfind(':') + 1)), &province,
              kGrpcTls12Cipher);
  }
}

TEST_CASE(
    "A console certificate from the province's own CA serves browsers that "
    "trust that CA",
    "[tls]") {
  Federation fed;
  fed.AddProvince("44");
  // The organisation's CA, unknown to the federation; its certificate for
  // the console is given as a chain file (leaf, then the CA), as CAs hand
  // them out.
  TestPki organisation(fed.dir().File("org"), "某省教育厅");
  const v1::TlsFiles issued = organisation.For(PeerIdentity::Province("44"));
  const std::string chain = fed.dir().File("console-chain.pem");
  {
    std::ofstream out(chain);
    out << ValueOrDie(ReadFile(issued.cert()))
        << ValueOrDie(ReadFile(organisation.ca_cert()));
  }
  v1::ProvincialConfig config = fed.province("44");
  config.set_web_listen("localhost:0");
  config.mutable_web_tls()->set_cert(chain);
  config.mutable_web_tls()->set_key(issued.key());
  provincial::WebOptions options = provincial::WebOptionsFrom(config);
  CHECK(options.cert == chain);
  std::unique_ptr<provincial::WebServer> web = ValueOrDie(
      provincial::WebServer::Start(options, fed.node("44").InProcessChannel()));

  Handshake trusted = Connect(web->port(), {TLS1_3_VERSION, kTls13Suites,
                                            nullptr, organisation.ca_cert()});
  CHECK(trusted.ok);
  Handshake federation_only =
      Connect(web->port(),
              {TLS1_3_VERSION, kTls13Suites, nullptr, fed.pki().ca_cert()});
  CHECK_FALSE(federation_only.ok);
  // The gRPC port keeps the federation's certificate.
  const std::string address = fed.province_address("44");
  CHECK(Connect(std::stoi(address.substr(address.rfind(':') + 1)),
                {TLS1_3_VERSION, kTls13Suites, nullptr, fed.pki().ca_cert()})
            .ok);
}

}  // namespace
}  // namespace ntmis::testing
