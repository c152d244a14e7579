// The federation's revocation list published over plain HTTP
// (docs/operators.md, "Certificates and revocation"): GET /revoked.crl
// answers the CA's list (the national node's tls.crl_file, read at each
// request, so a `pki revoke` shows at once) in DER as
// application/pkix-crl, the URL `pki crl-url` puts in certificates as their
// CRL distribution point. A CRL is signed by the CA, so plain HTTP is what
// RFC 5280 asks for (HTTPS would need the CRL to check itself).
//
// Thread-safe: cpp-httplib's pool answers; Stop() from any thread.
#ifndef NTMIS_NATIONAL_SERVER_CRL_SERVER_H_
#define NTMIS_NATIONAL_SERVER_CRL_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace ntmis::national {

class CrlServer {
 public:
  // Listens on `listen` (host:port, port 0 picks one) for `crl_file`.
  // UNAVAILABLE naming the address when it cannot.
  static absl::StatusOr<std::unique_ptr<CrlServer>> Start(
      const std::string& listen, const std::string& crl_file);
  ~CrlServer();
  int port() const { return port_; }

 private:
  CrlServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_SERVER_CRL_SERVER_H_
