#include "common/pki/pki.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"
#include "common/crypto/openssl_handles.h"
#include "common/pki/pki_internal.h"

namespace ntmis::pki {
namespace internal {

using ossl::Cert;
using ossl::File;
using ossl::PKey;

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("OpenSSL: ", what));
}

absl::StatusOr<PKey> ReadKey(const std::string& path) {
  File f(std::fopen(path.c_str(), "r"));
  if (!f) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  PKey key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) return OpenSslError(absl::StrCat("parse ", path));
  return key;
}

absl::StatusOr<Cert> ReadCert(const std::string& path) {
  File f(std::fopen(path.c_str(), "r"));
  if (!f) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return OpenSslError(absl::StrCat("parse ", path));
  return cert;
}

}  // namespace internal

namespace {

using internal::OpenSslError;
using internal::ReadCert;
using internal::ReadKey;

using ossl::Cert;
using ossl::Deleter;
using ossl::File;
using ossl::PKey;

absl::StatusOr<PKey> NewKey() {
  PKey key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("EC key generation");
  return key;
}

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", path));
  File f(fdopen(fd, "w"));
  if (!f || PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1) {
    return OpenSslError(absl::StrCat("write ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteCert(const std::string& path, X509* cert) {
  File f(std::fopen(path.c_str(), "w"));
  if (!f || PEM_write_X509(f.get(), cert) != 1)
    return OpenSslError(absl::StrCat("write ", path));
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid,
                          const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslError(absl::StrCat("extension ", value));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? absl::OkStatus() : OpenSslError("add extension");
}

// A certificate with a random 128-bit serial, subject CN/O, and validity.
absl::StatusOr<Cert> NewCert(EVP_PKEY* key, const std::string& cn,
                             const std::string& org, int days) {
  Cert cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  X509_set_version(cert.get(), 2);
  std::string serial_bytes = crypto::RandomBytes(16);
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* bn =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()),
                serial_bytes.size(), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  return cert;
}

std::string OrganizationOf(X509* ca) {
  X509_NAME* name = X509_get_subject_name(ca);
  int idx = X509_NAME_get_index_by_NID(name, NID_organizationName, -1);
  if (idx < 0) return "NTMIS";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     ASN1_STRING_length(data));
}

}  // namespace

absl::Status SetCrlUrl(const std::string& ca_dir, const std::string& url) {
  if (!absl::StartsWith(url, "http://") || url.size() <= 7 ||
      url.find_first_of(" ,\t\n") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--crl-url ", url,
        " is not an http:// URL (a CRL is served over plain HTTP; it is "
        "signed), e.g. http://ntmis.moe.example.cn:8080/revoked.crl"));
  }
  if (!std::filesystem::exists(CaPaths(ca_dir).cert()))
    return absl::NotFoundError(absl::StrCat("no CA in ", ca_dir));
  return ReplaceFile(CaPaths(ca_dir).crl_url(), url + "\n");
}

absl::Status InitCa(const std::string& dir, const std::string& organization) {
  CaPaths paths(dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // The CA key lives here: its user's only.
  if (!ec)
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir));
  if (std::filesystem::exists(paths.key()) ||
      std::filesystem::exists(paths.cert())) {
    return absl::AlreadyExistsError(
        absl::StrCat("a CA already exists in ", dir));
  }
  ASSIGN_OR_RETURN(PKey key, NewKey());
  ASSIGN_OR_RETURN(
      Cert cert,
      NewCert(key.get(), organization + " Federation CA", organization, 3650));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_basic_constraints,
                               "critical,CA:TRUE,pathlen:0"));
  RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_key_usage,
                               "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return OpenSslError("sign CA");
  RETURN_IF_ERROR(WriteKey(paths.key(), key.get()));
  RETURN_IF_ERROR(WriteCert(paths.cert(), cert.get()));
  absl::Status key_status = crypto::CreateKeyFile(paths.id_hash_key());
  if (!key_status.ok() && !absl::IsAlreadyExists(key_status)) return key_status;
  return WriteCrl(dir, std::time(nullptr));  // empty: nothing revoked yet
}

absl::Status Issue(const std::string& ca_dir, const IssueRequest& request,
                   const std::string& out_prefix) {
  CaPaths paths(ca_dir);
  if (request.days < 1)
    return absl::InvalidArgumentError(absl::StrCat(
        "--days ", request.days,
        ": a certificate must be valid for at least 1 day (one valid "
        "for ",
        request.days, " days has expired when it is issued)"));
  ASSIGN_OR_RETURN(PKey ca_key, ReadKey(paths.key()));
  ASSIGN_OR_RETURN(Cert ca_cert, ReadCert(paths.cert()));
  int ca_days = 0, ca_seconds = 0;
  if (ASN1_TIME_diff(&ca_days, &ca_seconds, nullptr,
                     X509_get0_notAfter(ca_cert.get())) == 1 &&
      request.days > ca_days) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--days ", request.days, ": the CA itself expires in ", ca_days,
        " days; a certificate cannot outlive the CA that signs it"));
  }
  ASSIGN_OR_RETURN(PKey key, NewKey());
  std::string cn = request.common_name.empty() ? request.identity.Uri()
                                               : request.common_name;
  ASSIGN_OR_RETURN(
      Cert cert,
      NewCert(key.get(), cn, OrganizationOf(ca_cert.get()), request.days));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));

  std::vector<std::string> sans = {
      absl::StrCat("URI:", request.identity.Uri())};
  for (const auto& dns : request.dns_names) sans.push_back("DNS:" + dns);
  for (const auto& ip : request.ip_addresses) sans.push_back("IP:" + ip);
  X509* c = cert.get();
  X509* ca = ca_cert.get();
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(c, ca, NID_key_usage,
                               "critical,digitalSignature,keyAgreement"));
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_ext_key_usage, "serverAuth,clientAuth"));
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_subject_alt_name, absl::StrJoin(sans, ",")));
  RETURN_IF_ERROR(AddExtension(c, ca, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_authority_key_identifier, "keyid:always"));
  if (absl::StatusOr<std::string> url = ReadFile(CaPaths(ca_dir).crl_url());
      url.ok()) {
    const std::string trimmed(absl::StripAsciiWhitespace(*url));
    if (!trimmed.empty())
      RETURN_IF_ERROR(
          AddExtension(c, ca, NID_crl_distribution_points, "URI:" + trimmed));
  }
  if (X509_sign(c, ca_key.get(), EVP_sha256()) == 0)
    return OpenSslError("sign certificate");

  std::filesystem::path parent =
      std::filesystem::path(out_prefix).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  RETURN_IF_ERROR(WriteKey(out_prefix + ".key", key.get()));
  RETURN_IF_ERROR(WriteCert(out_prefix + ".crt", c));
  return internal::RecordIssued(ca_dir, c, request.identity.Uri());
}

}  // namespace ntmis::pki
