#include "common/revocation_check.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/openssl_handles.h"
#include "common/status_macros.h"

namespace ntmis {
namespace {

absl::StatusOr<ossl::Crl> ParseCrl(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return absl::InvalidArgumentError("not a PEM certificate revocation list");
  return crl;
}

absl::StatusOr<ossl::Cert> ReadCa(const std::string& path) {
  ossl::File f(std::fopen(path.c_str(), "r"));
  if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot read the CA certificate ", path));
  ossl::Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return absl::InvalidArgumentError(absl::StrCat(path, " is not a PEM certificate"));
  return cert;
}

absl::StatusOr<RevocationListInfo> Check(X509_CRL* crl, X509* ca) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0)
    return absl::InvalidArgumentError("issued by another CA");
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  if (ca_key == nullptr || X509_CRL_verify(crl, ca_key) != 1)
    return absl::InvalidArgumentError("its signature is not the federation CA's");
  RevocationListInfo info;
  ossl::Asn1Integer number(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
  if (!number) return absl::InvalidArgumentError("it has no CRL number");
  info.number = static_cast<uint64_t>(ASN1_INTEGER_get(number.get()));
  info.this_update_unix = ossl::UnixTime(X509_CRL_get0_lastUpdate(crl));
  info.next_update_unix = ossl::UnixTime(X509_CRL_get0_nextUpdate(crl));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  info.revoked = revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);
  return info;
}

std::string Describe(X509* cert) {
  std::string uri;
  GENERAL_NAMES* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI) {
      const ASN1_STRING* s = name->d.uniformResourceIdentifier;
      uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
    }
  }
  GENERAL_NAMES_free(names);
  return absl::StrCat("serial ", ossl::SerialHex(X509_get0_serialNumber(cert)),
                      uri.empty() ? "" : " (", uri, uri.empty() ? "" : ")");
}

class RevocationVerifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  RevocationVerifier(std::string crl_file, std::string ca_cert_path, bool check_host)
      : crl_file_(std::move(crl_file)), ca_cert_path_(std::move(ca_cert_path)),
        check_host_(check_host) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>, grpc::Status* sync_status) override {
    *sync_status = Check(*request);
    return true;  // decided here, synchronously
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

 private:
  grpc::Status Check(const grpc::experimental::TlsCustomVerificationCheckRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_) {
    const std::string pem(request.peer_cert().data(), request.peer_cert().size());
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ossl::Cert peer(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!peer) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no peer certificate");
    if (check_host_) {
      grpc::Status host = CheckHost(request);
      if (!host.ok()) return host;
    }
    absl::MutexLock lock(&mu_);
    Reload();
    if (!state_.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the revocation list ", crl_file_, " cannot be used (",
                                       state_.message(), "): every peer is refused until it can"));
    }
    if (std::time(nullptr) > info_.next_update_unix) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the revocation list ", crl_file_,
                                       " is past its next update: every peer is refused until a "
                                       "new one is signed (ntmis-national pki crl)"));
    }
    X509_REVOKED* revoked = nullptr;
    if (X509_CRL_get0_by_serial(crl_.get(), &revoked, X509_get0_serialNumber(peer.get())) == 1) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the peer's certificate ", Describe(peer.get()),
                                       " is revoked"));
    }
    return grpc::Status::OK;
  }

  grpc::Status CheckHost(const grpc::experimental::TlsCustomVerificationCheckRequest& request) {
    const std::string target = absl::AsciiStrToLower(
        std::string(request.target_name().data(), request.target_name().size()));
    if (target.empty()) return grpc::Status::OK;
    for (const auto& names : {request.dns_names(), request.ip_names()}) {
      for (const grpc::string_ref& name : names) {
        if (absl::AsciiStrToLower(std::string(name.data(), name.size())) == target)
          return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        absl::StrCat("the server's certificate does not name ", target));
  }

  // Reads the list again when its file changed (checked at most once a
  // second); keeps the last good one only while the file is unchanged.
  void Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = absl::Now();
    if (now - checked_at_ < absl::Seconds(1)) return;
    checked_at_ = now;
    struct stat st {};
    if (::stat(crl_file_.c_str(), &st) != 0) {
      state_ = absl::NotFoundError("the file is missing");
      crl_.reset();
      mtime_ = -1;
      return;
    }
    const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (mtime == mtime_ && st.st_size == size_) return;
    mtime_ = mtime;
    size_ = st.st_size;
    std::ifstream in(crl_file_);
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<ossl::Crl> crl = ParseCrl(text.str());
    absl::StatusOr<ossl::Cert> ca = crl.ok() ? ReadCa(ca_cert_path_) : crl.status();
    absl::StatusOr<RevocationListInfo> info =
        ca.ok() ? ntmis::Check(crl->get(), ca->get()) : ca.status();
    state_ = info.status();
    if (info.ok()) {
      info_ = *info;
      crl_ = *std::move(crl);
    }
    if (!state_.ok()) crl_.reset();
  }

  const std::string crl_file_;
  const std::string ca_cert_path_;
  const bool check_host_;
  absl::Mutex mu_;
  absl::Status state_ ABSL_GUARDED_BY(mu_) = absl::UnavailableError("not read yet");
  ossl::Crl crl_ ABSL_GUARDED_BY(mu_);
  RevocationListInfo info_ ABSL_GUARDED_BY(mu_);
  int64_t mtime_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t size_ ABSL_GUARDED_BY(mu_) = -1;
  absl::Time checked_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace

absl::StatusOr<RevocationListInfo> CheckRevocationList(const std::string& crl_pem,
                                                       const std::string& ca_cert_path) {
  ASSIGN_OR_RETURN(ossl::Crl crl, ParseCrl(crl_pem));
  ASSIGN_OR_RETURN(ossl::Cert ca, ReadCa(ca_cert_path));
  return Check(crl.get(), ca.get());
}

std::shared_ptr<grpc::experimental::CertificateVerifier> MakeRevocationVerifier(
    const std::string& crl_file, const std::string& ca_cert_path, bool check_host) {
  return grpc::experimental::ExternalCertificateVerifier::Create<RevocationVerifier>(
      crl_file, ca_cert_path, check_host);
}

}  // namespace ntmis
