// The federation's TLS policy, one place for its three kinds of port
// (docs/operators.md, "TLS on the three ports"): the national node's and a
// province's gRPC ports, and a province's web console.
//
// * Every port offers TLS 1.3 and, on TLS 1.2, only ECDHE key exchange with
//   AEAD ciphers (GCM, ChaCha20-Poly1305): no CBC suite (LUCKY13), no RSA key
//   exchange, nothing older than TLS 1.2.
// * The server's order decides. The console (cpp-httplib over OpenSSL) sets
//   Mozilla's "intermediate" list with server preference. gRPC 1.51 offers
//   no server-preference switch, so its ports offer one TLS 1.2 suite (the
//   federation's keys are P-256: ECDHE-ECDSA-AES256-GCM-SHA384), which is
//   an order no client can change; gRPC peers meet on TLS 1.3 anyway.
//
// tests/federation/tls_policy_test.cc connects to all three ports with every
// suite OpenSSL knows and fails if a non-AEAD suite or an old protocol is
// accepted.
//
// Thread-safe: constants and a function that only configures a context.
#ifndef NTMIS_COMMON_PKI_TLS_POLICY_H_
#define NTMIS_COMMON_PKI_TLS_POLICY_H_

#include <openssl/ssl.h>

#include "absl/status/status.h"

namespace ntmis {

// The console's TLS 1.2 suites in the server's order of preference.
inline constexpr char kConsoleTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.3 suites (all AEAD), in the server's order of preference.
inline constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_"
    "SHA256";

// The one TLS 1.2 suite of the gRPC ports (gRPC reads it from
// GRPC_SSL_CIPHER_SUITES, which common/pki/tls.cc sets before gRPC reads it).
inline constexpr char kGrpcTls12Cipher[] = "ECDHE-ECDSA-AES256-GCM-SHA384";

// Applies the console's policy to `ctx`: TLS 1.2 and 1.3 only, the suites
// above, server preference, no renegotiation, no compression.
// INTERNAL when OpenSSL refuses a setting.
absl::Status ApplyConsoleTlsPolicy(SSL_CTX* ctx);

}  // namespace ntmis

#endif  // NTMIS_COMMON_PKI_TLS_POLICY_H_
