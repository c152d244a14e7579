// Owning handles for OpenSSL objects: each frees with its own *_free
// function when it goes out of scope. Shared by the PKI, the node
// certificate checks and the sealed envelopes.
#ifndef NTMIS_COMMON_CRYPTO_OPENSSL_HANDLES_H_
#define NTMIS_COMMON_CRYPTO_OPENSSL_HANDLES_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

namespace ntmis::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using File = std::unique_ptr<FILE, Deleter<std::fclose>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1Time = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;

// A certificate's serial in upper-case hex, as `openssl x509 -serial` and
// `pki list` print it.
inline std::string SerialHex(const ASN1_INTEGER* serial) {
  Bignum bn(ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  std::string out = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  return out;
}

// An ASN.1 time as Unix seconds (0 when absent or unreadable).
inline int64_t UnixTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace ntmis::ossl

#endif  // NTMIS_COMMON_CRYPTO_OPENSSL_HANDLES_H_
