// Checking a TLS peer against the federation's revocation list, failing
// closed (docs/operators.md, "Certificates and revocation"). Both nodes set
// it on every mutually authenticated channel (common/tls.h): the national
// node on its server, checking provinces and operators; a province on its
// channel to the national node. The list is a CRL file signed by the
// federation CA (ca/revoked.crl, written by `ntmis-national pki revoke`;
// provinces receive it with the reference data). It is read again whenever
// the file changes, so a revocation takes effect without a restart for
// every new connection; connections already open end within the servers'
// maximum connection age. A list that is missing, unreadable, not signed by
// the CA or past its next update refuses every peer.
//
// Thread-safe.
#ifndef NTMIS_COMMON_REVOCATION_CHECK_H_
#define NTMIS_COMMON_REVOCATION_CHECK_H_

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/security/tls_certificate_verifier.h>

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
absl::StatusOr<RevocationListInfo> CheckRevocationList(const std::string& crl_pem,
                                                       const std::string& ca_cert_path);

// The TLS verifier: `crl_file` checked against `ca_cert_path`. A client
// (`check_host`) also checks that the server's certificate names the host
// it dialled, as gRPC does when no verifier is set.
std::shared_ptr<grpc::experimental::CertificateVerifier> MakeRevocationVerifier(
    const std::string& crl_file, const std::string& ca_cert_path, bool check_host);

}  // namespace ntmis

#endif  // NTMIS_COMMON_REVOCATION_CHECK_H_
