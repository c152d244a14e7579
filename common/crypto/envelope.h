// Data sealed for one node: CMS enveloped data (RFC 5652) with AES-256-GCM
// content encryption and the key agreed with the recipient certificate's
// EC key (ECDH, as OpenSSL's CMS does for EC recipients). Whoever relays it
// without the recipient's private key cannot read it: the national node
// relays a transferred teacher's whole file this way (docs/architecture.md,
// "Careers").
#ifndef NTMIS_COMMON_CRYPTO_ENVELOPE_H_
#define NTMIS_COMMON_CRYPTO_ENVELOPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis {

// `plaintext` sealed for the holder of `certificate_pem`'s key.
absl::StatusOr<std::string> SealFor(absl::string_view certificate_pem,
                                    absl::string_view plaintext);

// Opens what SealFor sealed for the certificate at `cert_path`, with the
// private key at `key_path`.
absl::StatusOr<std::string> OpenSealed(const std::string& cert_path,
                                       const std::string& key_path,
                                       absl::string_view sealed);

}  // namespace ntmis

#endif  // NTMIS_COMMON_CRYPTO_ENVELOPE_H_
