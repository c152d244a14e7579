#include "common/pki/tls_policy.h"

namespace ntmis {

absl::Status ApplyConsoleTlsPolicy(SSL_CTX* ctx) {
  if (ctx == nullptr) return absl::InternalError("no TLS context to configure");
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kConsoleTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
    return absl::InternalError(
        "OpenSSL refused the console's TLS versions or cipher suites");
  }
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  return absl::OkStatus();
}

}  // namespace ntmis
