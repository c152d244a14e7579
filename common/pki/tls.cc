#include "common/pki/tls.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/pki/revocation_check.h"
#include "common/pki/tls_policy.h"

namespace ntmis {
namespace {

using grpc::experimental::FileWatcherCertificateProvider;

constexpr unsigned int kRefreshSeconds = 60;

// gRPC reads GRPC_SSL_CIPHER_SUITES once, when it first makes TLS
// credentials; this runs before main, while the process has one thread, and
// overrides whatever the environment said (common/pki/tls_policy.h).
const bool kGrpcSuitesPinned = [] {
  return ::setenv("GRPC_SSL_CIPHER_SUITES", kGrpcTls12Cipher,
                  /*overwrite=*/1) == 0;
}();

absl::Status CheckReadable(const std::string& path, absl::string_view what) {
  if (path.empty())
    return absl::InvalidArgumentError(absl::StrCat(what, " not configured"));
  if (!std::filesystem::exists(path))
    return absl::NotFoundError(absl::StrCat(what, " not found: ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const v1::TlsFiles& tls, ClientCertPolicy policy,
    RevokedPeerHandler on_revoked) {
  for (auto [path, what] :
       {std::pair{tls.cert(), "tls.cert"}, std::pair{tls.key(), "tls.key"},
        std::pair{tls.ca_cert(), "tls.ca_cert"}}) {
    if (auto s = CheckReadable(path, what); !s.ok()) return s;
  }
  auto provider = std::make_shared<FileWatcherCertificateProvider>(
      tls.key(), tls.cert(), tls.ca_cert(), kRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  std::shared_ptr<RevocationList> revocation;
  if (policy == ClientCertPolicy::kRequire) {
    if (tls.crl_file().empty()) {
      return absl::FailedPreconditionError(
          "tls.crl_file is not set: a node that admits peers by certificate "
          "must check them "
          "against the federation's revocation list (ca/revoked.crl)");
    }
    revocation =
        std::make_shared<RevocationList>(tls.crl_file(), tls.ca_cert());
    options.set_certificate_verifier(MakeRevocationVerifier(
        revocation, /*check_host=*/false, /*admit_revoked=*/true));
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    if (!tls.crl_dir().empty()) options.set_crl_directory(tls.crl_dir());
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  std::shared_ptr<grpc::ServerCredentials> creds =
      grpc::experimental::TlsServerCredentials(options);
  if (creds == nullptr)
    return absl::InternalError("cannot build TLS server credentials");
  // A revoked peer passes the handshake only to be refused at every call,
  // before any handler, with a message it can read.
  if (revocation != nullptr)
    creds->SetAuthMetadataProcessor(
        MakeRevokedPeerGate(revocation, std::move(on_revoked)));
  return creds;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const v1::TlsFiles& tls) {
  if (auto s = CheckReadable(tls.ca_cert(), "tls.ca_cert"); !s.ok()) return s;
  bool with_identity = !tls.cert().empty() || !tls.key().empty();
  if (with_identity) {
    if (auto s = CheckReadable(tls.cert(), "tls.cert"); !s.ok()) return s;
    if (auto s = CheckReadable(tls.key(), "tls.key"); !s.ok()) return s;
  }
  auto provider =
      with_identity ? std::make_shared<FileWatcherCertificateProvider>(
                          tls.key(), tls.cert(), tls.ca_cert(), kRefreshSeconds)
                    : std::make_shared<FileWatcherCertificateProvider>(
                          tls.ca_cert(), kRefreshSeconds);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (with_identity) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  if (!tls.crl_dir().empty()) options.set_crl_directory(tls.crl_dir());
  if (!tls.crl_file().empty()) {
    options.set_certificate_verifier(MakeRevocationVerifier(
        std::make_shared<RevocationList>(tls.crl_file(), tls.ca_cert()),
        /*check_host=*/true));
  }
  auto creds = grpc::experimental::TlsCredentials(options);
  if (creds == nullptr)
    return absl::InternalError("cannot build TLS credentials");
  return creds;
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> creds) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  return grpc::CreateCustomChannel(address, creds, args);
}

}  // namespace ntmis
