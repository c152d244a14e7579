// The federation's PKI: a CA and the certificates it issues (national server,
// province nodes, operators), built with the OpenSSL library API. Keys are
// EC P-256; identity is a SPIFFE URI SAN (common/pki/peer_identity.h).
#ifndef NTMIS_COMMON_PKI_PKI_H_
#define NTMIS_COMMON_PKI_PKI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pki/peer_identity.h"

namespace ntmis::pki {

// Files in a CA directory.
struct CaPaths {
  explicit CaPaths(std::string dir) : dir(std::move(dir)) {}
  std::string dir;
  std::string cert() const { return dir + "/ca.crt"; }
  std::string key() const { return dir + "/ca.key"; }
  // The federation key for keyed hashes of ID-card numbers, handed to every
  // province with its certificate.
  std::string id_hash_key() const { return dir + "/id-hash.key"; }
  // What the CA issued and revoked (common/pki/pki_revocation.cc), and the
  // revocation list every node checks its peers against.
  std::string issued() const { return dir + "/issued.tsv"; }
  std::string crl() const { return dir + "/revoked.crl"; }
  // Where the list is published (one URL, "http://…/revoked.crl"): named in
  // every certificate issued from then on as its CRL distribution point.
  std::string crl_url() const { return dir + "/crl-url"; }
};

// Creates ca.key, ca.crt (10 years), id-hash.key and an empty revocation
// list in `dir` (created if missing). ALREADY_EXISTS if a CA is already there.
absl::Status InitCa(const std::string& dir, const std::string& organization);

// Records `url` (http://…) as where the CA's revocation list is published
// (the national node's `crl_listen` serves it at /revoked.crl): certificates
// issued afterwards name it, so TLS clients and scanners outside the
// federation know where to check. INVALID_ARGUMENT for anything but an
// http:// URL (RFC 5280 4.2.1.13: a CRL is fetched over plain HTTP; it is
// signed).
absl::Status SetCrlUrl(const std::string& ca_dir, const std::string& url);

struct IssueRequest {
  PeerIdentity identity;
  std::string common_name;             // informational
  std::vector<std::string> dns_names;  // server names; "localhost" etc.
  std::vector<std::string> ip_addresses;
  int days = 825;
};

// Issues a key and certificate signed by the CA in `ca_dir`, written to
// `out_prefix`.key (mode 0600) and `out_prefix`.crt. Server and client
// usage both, so a province cert serves the provincial API and signs in to
// the national node. INVALID_ARGUMENT for a validity under 1 day or beyond
// the CA's own expiry.
absl::Status Issue(const std::string& ca_dir, const IssueRequest& request,
                   const std::string& out_prefix);

// A certificate in the CA's register (CaPaths::issued()).
struct IssuedCertificate {
  std::string serial;    // hex, upper case
  std::string identity;  // SPIFFE URI
  int64_t issued_unix = 0;
  int64_t not_after_unix = 0;
  int64_t revoked_unix = 0;  // 0: not revoked
  std::string reason;
};
absl::StatusOr<std::vector<IssuedCertificate>> ListIssued(
    const std::string& ca_dir);

// Exactly one of serial, province or operator_name; reason required.
struct RevokeRequest {
  std::string serial;    // hex, as `pki list` shows it
  std::string province;  // every certificate of spiffe://ntmis/province/CODE
  std::string operator_name;  // every certificate of that operator, any role
  std::string reason;
};
// Revokes the matching certificates not yet revoked and writes the CA's
// revocation list anew; returns those revoked now. INVALID_ARGUMENT for a
// request without a reason or with not exactly one selector; NOT_FOUND when
// nothing in the register matches; FAILED_PRECONDITION when everything that
// matches is already revoked. Nothing changes on an error.
absl::StatusOr<std::vector<IssuedCertificate>> Revoke(
    const std::string& ca_dir, const RevokeRequest& request, int64_t now_unix);

// Signs the revocation list afresh from the register (CRL number one more
// than the last, valid kCrlValidityDays): `pki revoke` does it, and
// `pki crl` renews a list before it expires.
inline constexpr int kCrlValidityDays = 180;
absl::Status WriteCrl(const std::string& ca_dir, int64_t now_unix);

}  // namespace ntmis::pki

#endif  // NTMIS_COMMON_PKI_PKI_H_
