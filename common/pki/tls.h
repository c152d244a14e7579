// gRPC TLS credentials from certificate files (ntmis.v1.TlsFiles), with
// file-watching providers so renewed certificates load without a restart.
#ifndef NTMIS_COMMON_PKI_TLS_H_
#define NTMIS_COMMON_PKI_TLS_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "common/pki/revocation_check.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis {

enum class ClientCertPolicy {
  kNone,     // server-only TLS (the provincial API: users log in)
  kRequire,  // mutual TLS; the client must present a cert from the CA
};

// Server credentials from tls.cert/tls.key, verifying clients against
// tls.ca_cert and the revocation list tls.crl_file (required:
// FAILED_PRECONDITION without it) under kRequire. A client whose
// certificate is revoked is refused at each call with "certificate revoked:
// serial …" (common/pki/revocation_check.h), and `on_revoked` is told.
// NOT_FOUND names a missing file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const v1::TlsFiles& tls, ClientCertPolicy policy,
    RevokedPeerHandler on_revoked = {});

// Channel credentials that verify the server against tls.ca_cert (and
// tls.crl_file, when set: common/pki/revocation_check.h) and, when
// tls.cert/tls.key are set, present them as the client identity.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const v1::TlsFiles& tls);

// A channel to `address` ("host:port") with the given credentials and NTMIS's
// message-size limits.
std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> creds);

// The largest message either side accepts.
inline constexpr int kMaxMessageBytes = 32 << 20;

}  // namespace ntmis

#endif  // NTMIS_COMMON_PKI_TLS_H_
