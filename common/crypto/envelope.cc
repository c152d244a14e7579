#include "common/crypto/envelope.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/crypto/openssl_handles.h"

namespace ntmis {
namespace {

using ossl::Bio;
using ossl::Cert;
using Key = ossl::PKey;
using Cms =
    std::unique_ptr<CMS_ContentInfo, ossl::Deleter<CMS_ContentInfo_free>>;

absl::Status OpenSslError(absl::string_view what) {
  const unsigned long code = ERR_get_error();
  char text[256] = {0};
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return absl::InternalError(
      absl::StrCat(what, ": ", code != 0 ? text : "unknown error"));
}

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

Cert ReadCert(absl::string_view pem) {
  Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)
                 : nullptr);
}

}  // namespace

absl::StatusOr<std::string> SealFor(absl::string_view certificate_pem,
                                    absl::string_view plaintext) {
  Cert cert = ReadCert(certificate_pem);
  if (!cert)
    return absl::InvalidArgumentError(
        "the recipient's certificate cannot be read");
  STACK_OF(X509)* recipients = sk_X509_new_null();
  sk_X509_push(recipients, cert.get());
  Bio in(BIO_new_mem_buf(plaintext.data(), static_cast<int>(plaintext.size())));
  Cms cms(CMS_encrypt(recipients, in.get(), EVP_aes_256_gcm(), CMS_BINARY));
  sk_X509_free(recipients);
  if (!cms) return OpenSslError("sealing for the recipient");
  Bio out(BIO_new(BIO_s_mem()));
  if (i2d_CMS_bio(out.get(), cms.get()) != 1)
    return OpenSslError("writing the sealed data");
  return Drain(out.get());
}

absl::StatusOr<std::string> OpenSealed(const std::string& cert_path,
                                       const std::string& key_path,
                                       absl::string_view sealed) {
  Bio cert_file(BIO_new_file(cert_path.c_str(), "r"));
  Cert cert(cert_file
                ? PEM_read_bio_X509(cert_file.get(), nullptr, nullptr, nullptr)
                : nullptr);
  if (!cert)
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", cert_path));
  Bio key_file(BIO_new_file(key_path.c_str(), "r"));
  Key key(key_file ? PEM_read_bio_PrivateKey(key_file.get(), nullptr, nullptr,
                                             nullptr)
                   : nullptr);
  if (!key)
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", key_path));
  Bio in(BIO_new_mem_buf(sealed.data(), static_cast<int>(sealed.size())));
  Cms cms(d2i_CMS_bio(in.get(), nullptr));
  if (!cms)
    return absl::InvalidArgumentError(
        "the sealed data is not CMS enveloped data");
  Bio out(BIO_new(BIO_s_mem()));
  if (CMS_decrypt(cms.get(), key.get(), cert.get(), nullptr, out.get(),
                  CMS_BINARY) != 1)
    return OpenSslError("opening the sealed data (not sealed for this node?)");
  return Drain(out.get());
}

}  // namespace ntmis
