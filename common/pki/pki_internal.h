// What pki.cc and pki_revocation.cc share: reading the CA's files and
// recording what was issued. Not for use outside common/pki*.
#ifndef NTMIS_COMMON_PKI_PKI_INTERNAL_H_
#define NTMIS_COMMON_PKI_PKI_INTERNAL_H_

#include <openssl/x509.h>

#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/openssl_handles.h"

namespace ntmis::pki::internal {

absl::Status OpenSslError(absl::string_view what);
absl::StatusOr<ossl::PKey> ReadKey(const std::string& path);
absl::StatusOr<ossl::Cert> ReadCert(const std::string& path);
// Appends `cert`, just issued to `identity`, to the CA's register.
absl::Status RecordIssued(const std::string& ca_dir, X509* cert,
                          const std::string& identity);

}  // namespace ntmis::pki::internal

#endif  // NTMIS_COMMON_PKI_PKI_INTERNAL_H_
