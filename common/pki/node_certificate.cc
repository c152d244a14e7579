#include "common/pki/node_certificate.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/crypto/openssl_handles.h"

namespace ntmis {
namespace {

using ossl::Cert;
using ossl::Deleter;
using ossl::File;
using ossl::PKey;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

absl::StatusOr<File> OpenPem(const std::string& path, const char* what) {
  if (path.empty())
    return absl::InvalidArgumentError(absl::StrCat(what, " not configured"));
  File f(fopen(path.c_str(), "r"));
  if (!f)
    return absl::NotFoundError(
        absl::StrCat(what, " not found or not readable: ", path));
  return f;
}

absl::StatusOr<Cert> ReadCert(const std::string& path, const char* what) {
  ASSIGN_OR_RETURN(File f, OpenPem(path, what));
  Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert)
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is not a PEM certificate"));
  return cert;
}

std::vector<std::string> UriSans(X509* cert) {
  std::vector<std::string> uris;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      ASN1_STRING_length(uri));
  }
  GENERAL_NAMES_free(names);
  return uris;
}

}  // namespace

absl::Status CheckNodeCertificate(const v1::TlsFiles& tls,
                                  const PeerIdentity& expected,
                                  int64_t now_unix) {
  ASSIGN_OR_RETURN(Cert cert, ReadCert(tls.cert(), "tls.cert"));
  ASSIGN_OR_RETURN(Cert ca, ReadCert(tls.ca_cert(), "tls.ca_cert"));
  {
    ASSIGN_OR_RETURN(File f, OpenPem(tls.key(), "tls.key"));
    PKey key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
    if (!key)
      return absl::InvalidArgumentError(
          absl::StrCat("tls.key ", tls.key(), " is not a PEM private key"));
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "tls.key ", tls.key(), " is not the key of tls.cert ", tls.cert(),
          " — configure the key issued with this certificate"));
    }
  }
  Store store(X509_STORE_new());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    return absl::InternalError("cannot set up certificate verification");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now_unix));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    switch (error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return absl::FailedPreconditionError(absl::StrCat(
            "the node certificate ", tls.cert(),
            " has expired — ask the federation CA for a renewed certificate "
            "(ntmis-national pki issue)"));
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return absl::FailedPreconditionError(
            absl::StrCat("the node certificate ", tls.cert(),
                         " is not valid yet — check this machine's clock"));
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return absl::FailedPreconditionError(absl::StrCat(
            "the node certificate ", tls.cert(),
            " was not issued by the CA in tls.ca_cert ", tls.ca_cert(),
            " — configure the federation's ca.crt and a certificate it "
            "issued"));
      default:
        return absl::FailedPreconditionError(absl::StrCat(
            "the node certificate ", tls.cert(), " does not verify against ",
            tls.ca_cert(), ": ", X509_verify_cert_error_string(error)));
    }
  }
  const std::vector<std::string> uris = UriSans(cert.get());
  for (const std::string& uri : uris) {
    if (uri == expected.Uri()) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "the node certificate ", tls.cert(), " is for ",
      uris.empty() ? "no federation identity" : absl::StrJoin(uris, ", "),
      ", not ", expected.Uri(),
      " — use the certificate issued for this node, or fix the configuration"));
}

}  // namespace ntmis
