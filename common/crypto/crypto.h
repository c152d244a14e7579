// Cryptographic primitives over OpenSSL 3: random bytes, SHA-256, HMAC,
// AES-256-GCM, scrypt password hashes and 32-byte key files.
#ifndef NTMIS_COMMON_CRYPTO_CRYPTO_H_
#define NTMIS_COMMON_CRYPTO_CRYPTO_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis::crypto {

std::string RandomBytes(size_t n);
std::string Sha256(absl::string_view data);  // 32 bytes
std::string HmacSha256(absl::string_view key,
                       absl::string_view data);  // 32 bytes
std::string HexEncode(absl::string_view bytes);
// Equal length and bytes, in time that does not depend on where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);
absl::StatusOr<std::string> HexDecode(absl::string_view hex);

// Authenticated encryption with a 32-byte key: nonce(12) | ciphertext |
// tag(16).
absl::StatusOr<std::string> Seal(absl::string_view key,
                                 absl::string_view plaintext);
// DATA_LOSS when the ciphertext was altered or the key is wrong.
absl::StatusOr<std::string> Open(absl::string_view key,
                                 absl::string_view sealed);

// HMAC-SHA256 under one key, with the key schedule done once: for hashing
// many values (ID-card numbers in an import). Not thread-safe.
class Hmac {
 public:
  explicit Hmac(absl::string_view key);
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  std::string Sign(absl::string_view data);  // equals HmacSha256(key, data)

 private:
  struct Contexts;
  std::unique_ptr<Contexts> ctx_;
};

// SHA-256 with one reusable context and the algorithm fetched once: for
// hashing many small values (record digests). Not thread-safe.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Reset();
  void Update(absl::string_view data);
  void Final(unsigned char out[32]);

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

// AES-256-GCM under one key with the key schedule done once; output as Seal().
// Nonces are a random 8-byte prefix per Sealer plus a 4-byte counter, so
// they never repeat within a Sealer (at most 2^32 values) and collide
// across Sealers only by chance of 2^-64. Not thread-safe.
class Sealer {
 public:
  static absl::StatusOr<std::unique_ptr<Sealer>> Create(absl::string_view key);
  ~Sealer();
  absl::StatusOr<std::string> Seal(absl::string_view plaintext);

 private:
  Sealer() = default;
  struct Context;
  std::unique_ptr<Context> ctx_;
  std::string prefix_;
  uint32_t counter_ = 0;
};

// "scrypt$N$r$p$<salt hex>$<hash hex>", with a fresh 16-byte salt.
absl::StatusOr<std::string> HashPassword(absl::string_view password);
// Constant-time comparison against a HashPassword() string.
bool VerifyPassword(absl::string_view password, absl::string_view encoded);

// Reads a key file holding 64 hex characters (32 bytes).
absl::StatusOr<std::string> ReadKeyFile(const std::string& path);
// Writes a fresh random key (mode 0600). ALREADY_EXISTS if the file exists.
absl::Status CreateKeyFile(const std::string& path);

}  // namespace ntmis::crypto

#endif  // NTMIS_COMMON_CRYPTO_CRYPTO_H_
