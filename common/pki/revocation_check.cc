#include "common/pki/revocation_check.h"

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
#include "common/base/status_macros.h"
#include "common/crypto/openssl_handles.h"

namespace ntmis {
namespace {

absl::StatusOr<ossl::Crl> ParseCrl(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl)
    return absl::InvalidArgumentError("not a PEM certificate revocation list");
  return crl;
}

absl::StatusOr<ossl::Cert> ReadCa(const std::string& path) {
  ossl::File f(std::fopen(path.c_str(), "r"));
  if (!f)
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the CA certificate ", path));
  ossl::Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert)
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a PEM certificate"));
  return cert;
}

absl::StatusOr<RevocationListInfo> Check(X509_CRL* crl, X509* ca) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0)
    return absl::InvalidArgumentError("issued by another CA");
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  if (ca_key == nullptr || X509_CRL_verify(crl, ca_key) != 1)
    return absl::InvalidArgumentError(
        "its signature is not the federation CA's");
  RevocationListInfo info;
  ossl::Asn1Integer number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
  if (!number) return absl::InvalidArgumentError("it has no CRL number");
  info.number = static_cast<uint64_t>(ASN1_INTEGER_get(number.get()));
  info.this_update_unix = ossl::UnixTime(X509_CRL_get0_lastUpdate(crl));
  info.next_update_unix = ossl::UnixTime(X509_CRL_get0_nextUpdate(crl));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  info.revoked = revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);
  return info;
}

// The certificate's URI SAN, or "".
std::string IdentityOf(X509* cert) {
  std::string uri;
  GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI) {
      const ASN1_STRING* s = name->d.uniformResourceIdentifier;
      uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                 ASN1_STRING_length(s));
    }
  }
  GENERAL_NAMES_free(names);
  return uri;
}

ossl::Cert ParseCert(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ossl::Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

struct RevocationList::State {
  State(std::string file, std::string ca)
      : crl_file(std::move(file)), ca_cert_path(std::move(ca)) {}

  // Reads the list again when its file changed (checked at most once a
  // second); keeps the last good one only while the file is unchanged.
  void Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const absl::Time now = absl::Now();
    if (now - checked_at < absl::Seconds(1)) return;
    checked_at = now;
    struct stat st {};
    if (::stat(crl_file.c_str(), &st) != 0) {
      state = absl::NotFoundError("the file is missing");
      crl.reset();
      mtime = -1;
      return;
    }
    const int64_t m = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                      st.st_mtim.tv_nsec;
    if (m == mtime && st.st_size == size) return;
    mtime = m;
    size = st.st_size;
    std::ifstream in(crl_file);
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<ossl::Crl> parsed = ParseCrl(text.str());
    absl::StatusOr<ossl::Cert> ca =
        parsed.ok() ? ReadCa(ca_cert_path) : parsed.status();
    absl::StatusOr<RevocationListInfo> checked =
        ca.ok() ? ntmis::Check(parsed->get(), ca->get()) : ca.status();
    state = checked.status();
    if (checked.ok()) {
      info = *checked;
      crl = *std::move(parsed);
    }
    if (!state.ok()) crl.reset();
  }

  const std::string crl_file;
  const std::string ca_cert_path;
  absl::Mutex mu;
  absl::Status state ABSL_GUARDED_BY(mu) =
      absl::UnavailableError("not read yet");
  ossl::Crl crl ABSL_GUARDED_BY(mu);
  RevocationListInfo info ABSL_GUARDED_BY(mu);
  int64_t mtime ABSL_GUARDED_BY(mu) = -1;
  int64_t size ABSL_GUARDED_BY(mu) = -1;
  absl::Time checked_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

RevocationList::RevocationList(std::string crl_file, std::string ca_cert_path)
    : state_(std::make_unique<State>(std::move(crl_file),
                                     std::move(ca_cert_path))) {}
RevocationList::~RevocationList() = default;

absl::Status RevocationList::Check(const std::string& pem_cert,
                                   RevokedPeer* revoked) {
  ossl::Cert peer = ParseCert(pem_cert);
  if (!peer) return absl::UnauthenticatedError("no peer certificate");
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  s.Reload();
  if (!s.state.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the revocation list ", s.crl_file, " cannot be used (",
        s.state.message(), "): every peer is refused until it can"));
  }
  if (std::time(nullptr) > s.info.next_update_unix) {
    return absl::UnauthenticatedError(
        absl::StrCat("the revocation list ", s.crl_file,
                     " is past its next update: every peer is refused until a "
                     "new one is signed "
                     "(ntmis-national pki crl)"));
  }
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_serial(s.crl.get(), &entry,
                              X509_get0_serialNumber(peer.get())) != 1)
    return absl::OkStatus();
  RevokedPeer found;
  found.serial = ossl::SerialHex(X509_get0_serialNumber(peer.get()));
  found.identity = IdentityOf(peer.get());
  found.revoked_unix = ossl::UnixTime(X509_REVOKED_get0_revocationDate(entry));
  const std::string when = absl::FormatTime(
      "%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(found.revoked_unix),
      absl::UTCTimeZone());
  if (revoked != nullptr) *revoked = found;
  return absl::UnauthenticatedError(absl::StrCat(
      kCertificateRevoked, "serial ", found.serial,
      found.identity.empty() ? "" : absl::StrCat(" (", found.identity, ")"),
      " was revoked on ", when,
      " by the federation CA; this peer is refused until it presents a new "
      "certificate "
      "(ntmis-national pki issue)"));
}

namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                               std::string(s.message()));
}

class RevocationVerifier final
    : public grpc::experimental::ExternalCertificateVerifier {
 public:
  RevocationVerifier(std::shared_ptr<RevocationList> list, bool check_host,
                     bool admit_revoked)
      : list_(std::move(list)),
        check_host_(check_host),
        admit_revoked_(admit_revoked) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>,
              grpc::Status* sync_status) override {
    *sync_status = Check(*request);
    return true;  // decided here, synchronously
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {
  }

 private:
  grpc::Status Check(
      const grpc::experimental::TlsCustomVerificationCheckRequest& request) {
    if (check_host_) {
      grpc::Status host = CheckHost(request);
      if (!host.ok()) return host;
    }
    const std::string pem(request.peer_cert().data(),
                          request.peer_cert().size());
    RevokedPeer revoked;
    absl::Status checked = list_->Check(pem, &revoked);
    // Only revoked (the list usable, the peer on it): the call gate refuses
    // it with a message the peer can read.
    if (!checked.ok() && admit_revoked_ && !revoked.serial.empty())
      return grpc::Status::OK;
    return ToGrpc(checked);
  }

  grpc::Status CheckHost(
      const grpc::experimental::TlsCustomVerificationCheckRequest& request) {
    const std::string target = absl::AsciiStrToLower(std::string(
        request.target_name().data(), request.target_name().size()));
    if (target.empty()) return grpc::Status::OK;
    for (const auto& names : {request.dns_names(), request.ip_names()}) {
      for (const grpc::string_ref& name : names) {
        if (absl::AsciiStrToLower(std::string(name.data(), name.size())) ==
            target)
          return grpc::Status::OK;
      }
    }
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat("the server's certificate does not name ", target));
  }

  const std::shared_ptr<RevocationList> list_;
  const bool check_host_;
  const bool admit_revoked_;
};

class RevokedPeerGate final : public grpc::AuthMetadataProcessor {
 public:
  RevokedPeerGate(std::shared_ptr<RevocationList> list,
                  RevokedPeerHandler on_refused)
      : list_(std::move(list)), on_refused_(std::move(on_refused)) {}

  bool IsBlocking() const override {
    return false;
  }  // a map look-up, no I/O but a stat

  grpc::Status Process(const InputMetadata&, grpc::AuthContext* context,
                       OutputMetadata*, OutputMetadata*) override {
    std::vector<grpc::string_ref> pem =
        context->FindPropertyValues("x509_pem_cert");
    if (pem.empty())
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "no peer certificate");
    RevokedPeer revoked;
    absl::Status checked =
        list_->Check(std::string(pem[0].data(), pem[0].size()), &revoked);
    if (!checked.ok() && !revoked.serial.empty() && on_refused_)
      on_refused_(revoked);
    return ToGrpc(checked);
  }

 private:
  const std::shared_ptr<RevocationList> list_;
  const RevokedPeerHandler on_refused_;
};

}  // namespace

absl::StatusOr<RevocationListInfo> CheckRevocationList(
    const std::string& crl_pem, const std::string& ca_cert_path) {
  ASSIGN_OR_RETURN(ossl::Crl crl, ParseCrl(crl_pem));
  ASSIGN_OR_RETURN(ossl::Cert ca, ReadCa(ca_cert_path));
  return Check(crl.get(), ca.get());
}

std::shared_ptr<grpc::experimental::CertificateVerifier> MakeRevocationVerifier(
    std::shared_ptr<RevocationList> list, bool check_host, bool admit_revoked) {
  return grpc::experimental::ExternalCertificateVerifier::Create<
      RevocationVerifier>(std::move(list), check_host, admit_revoked);
}

std::shared_ptr<grpc::AuthMetadataProcessor> MakeRevokedPeerGate(
    std::shared_ptr<RevocationList> list, RevokedPeerHandler on_refused) {
  return std::make_shared<RevokedPeerGate>(std::move(list),
                                           std::move(on_refused));
}

}  // namespace ntmis
