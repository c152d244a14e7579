// The federation's PKI: a CA and the certificates it issues (national server,
// province nodes, operators), built with the OpenSSL library API. Keys are
// EC P-256; identity is a SPIFFE URI SAN (common/peer_identity.h).
#ifndef NTMIS_COMMON_PKI_H_
#define NTMIS_COMMON_PKI_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/peer_identity.h"

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
};

// Creates ca.key, ca.crt (10 years) and id-hash.key in `dir` (created if
// missing). ALREADY_EXISTS if a CA is already there.
absl::Status InitCa(const std::string& dir, const std::string& organization);

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

}  // namespace ntmis::pki

#endif  // NTMIS_COMMON_PKI_H_
