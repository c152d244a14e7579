// The check a node makes of its own certificate before it starts: the key
// belongs to the certificate, the configured CA issued it, it is valid now,
// and it names the identity the node is configured as. Each failure is one
// sentence an operator can act on.
#ifndef NTMIS_COMMON_PKI_NODE_CERTIFICATE_H_
#define NTMIS_COMMON_PKI_NODE_CERTIFICATE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "common/pki/peer_identity.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis {

// OK if tls.cert with tls.key is a certificate of `expected` issued by
// tls.ca_cert and valid at `now_unix`. NOT_FOUND for a missing file,
// INVALID_ARGUMENT for a file that is not PEM, FAILED_PRECONDITION for
// everything else (mismatched key, other CA, expired or not yet valid,
// another identity).
absl::Status CheckNodeCertificate(const v1::TlsFiles& tls,
                                  const PeerIdentity& expected,
                                  int64_t now_unix);

}  // namespace ntmis

#endif  // NTMIS_COMMON_PKI_NODE_CERTIFICATE_H_
