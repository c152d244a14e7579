#include "national/server/crl_server.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "common/base/config.h"
#include "common/crypto/openssl_handles.h"

namespace ntmis::national {
namespace {

// The list at `path` in DER, or empty when it cannot be read.
std::string CrlDer(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) return "";
  ossl::Bio bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  ossl::Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return "";
  unsigned char* der = nullptr;
  const int size = i2d_X509_CRL(crl.get(), &der);
  if (size <= 0) return "";
  std::string out(reinterpret_cast<const char*>(der),
                  static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CrlServer>> CrlServer::Start(
    const std::string& listen, const std::string& crl_file) {
  std::unique_ptr<CrlServer> s(new CrlServer());
  s->server_ = std::make_unique<httplib::Server>();
  s->server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  s->server_->Get("/revoked.crl", [crl_file](const httplib::Request&,
                                             httplib::Response& res) {
    const std::string der = CrlDer(crl_file);
    if (der.empty()) {
      res.status = 503;
      res.set_content("the revocation list cannot be read\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "max-age=60");
    res.set_content(der, "application/pkix-crl");
  });
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    return absl::InvalidArgumentError(
        absl::StrCat("crl_listen ", listen, " is not HOST:PORT"));
  std::string host = listen.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  const int wanted = std::atoi(listen.substr(colon + 1).c_str());
  s->port_ = wanted == 0
                 ? s->server_->bind_to_any_port(host)
                 : (s->server_->bind_to_port(host, wanted) ? wanted : -1);
  if (s->port_ <= 0)
    return absl::UnavailableError(
        absl::StrCat("cannot serve the revocation list on ", listen));
  httplib::Server* server = s->server_.get();
  s->thread_ = std::thread([server] { server->listen_after_bind(); });
  return s;
}

CrlServer::~CrlServer() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ntmis::national
