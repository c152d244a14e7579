// Checking a TLS peer against the federation's revocation list, failing
// closed (docs/operators.md, "Certificates and revocation"). Both nodes set
// it on every mutually authenticated channel (common/pki/tls.h): the national
// node on its server, checking provinces and operators; a province on its
// channel to the national node. The list is a CRL file signed by the
// federation CA (ca/revoked.crl, written by `ntmis-national pki revoke`;
// provinces receive it with the reference data). It is read again whenever
// the file changes, so a revocation takes effect without a restart for
// every new connection; connections already open end within the servers'
// maximum connection age. A list that is missing, unreadable, not signed by
// the CA or past its next update refuses every peer.
//
// On the national node a revoked peer is refused at each call rather than
// in the handshake (MakeRevokedPeerGate): a refused handshake reaches the
// peer only as "Socket closed", which an operator cannot tell from a network
// fault; a refused call carries the serial, the identity and the date.
//
// Thread-safe.
#ifndef NTMIS_COMMON_PKI_REVOCATION_CHECK_H_
#define NTMIS_COMMON_PKI_REVOCATION_CHECK_H_

#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/tls_certificate_verifier.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ntmis {

// A revocation list as the CA signed it.
struct RevocationListInfo {
  uint64_t number = 0;  // the CRL number: higher is newer
  int64_t this_update_unix = 0;
  int64_t next_update_unix = 0;
  size_t revoked = 0;
};

// Checks `crl_pem` against the CA certificate in `ca_cert_path` (signature,
// issuer, CRL number present). INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<RevocationListInfo> CheckRevocationList(
    const std::string& crl_pem, const std::string& ca_cert_path);

// A peer refused because its certificate is on the list.
struct RevokedPeer {
  std::string serial;    // hex, as `pki list` shows it
  std::string identity;  // the certificate's URI SAN
                         // ("spiffe://ntmis/province/12"), or ""
  int64_t revoked_unix = 0;
};

// The list in `crl_file`, checked against `ca_cert_path`, read again when
// the file changes (looked at most once a second). Thread-safe.
class RevocationList {
 public:
  RevocationList(std::string crl_file, std::string ca_cert_path);
  ~RevocationList();

  // OK when the list is usable and `pem_cert` is not on it. UNAUTHENTICATED
  // when the list is missing, unreadable, not the CA's or past its next
  // update (every peer is refused then). When the certificate is revoked:
  // UNAUTHENTICATED saying so, and `*revoked` (when given) filled in.
  absl::Status Check(const std::string& pem_cert,
                     RevokedPeer* revoked = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The TLS verifier. A client (`check_host`) also checks that the server's
// certificate names the host it dialled, as gRPC does when no verifier is
// set. With `admit_revoked` a certificate that is only revoked passes the
// handshake, for MakeRevokedPeerGate to refuse each call with a message the
// peer can read (everything else still ends the handshake).
std::shared_ptr<grpc::experimental::CertificateVerifier> MakeRevocationVerifier(
    std::shared_ptr<RevocationList> list, bool check_host,
    bool admit_revoked = false);

// Called for every call refused as revoked, on a gRPC thread.
using RevokedPeerHandler = std::function<void(const RevokedPeer&)>;

// A server's gate in front of every call (gRPC's AuthMetadataProcessor, so
// no handler, health check or reflection runs first): a peer whose
// certificate is revoked is refused with UNAUTHENTICATED
// "certificate revoked: serial … (spiffe://…) revoked on …", and
// `on_refused` is told.
std::shared_ptr<grpc::AuthMetadataProcessor> MakeRevokedPeerGate(
    std::shared_ptr<RevocationList> list, RevokedPeerHandler on_refused);

// The marker a refused peer finds at the start of the call's message.
inline constexpr char kCertificateRevoked[] = "certificate revoked: ";

}  // namespace ntmis

#endif  // NTMIS_COMMON_PKI_REVOCATION_CHECK_H_
