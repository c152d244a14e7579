#include "common/crypto/crypto.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"

namespace ntmis::crypto {
namespace {

constexpr uint64_t kScryptN = 1 << 14;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

absl::StatusOr<std::string> Scrypt(absl::string_view password,
                                   absl::string_view salt, uint64_t n,
                                   uint64_t r, uint64_t p) {
  std::string out(32, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, r, p, 64ull << 20,
                     reinterpret_cast<unsigned char*>(out.data()),
                     out.size()) != 1) {
    return absl::InternalError("scrypt failed");
  }
  return out;
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

std::string Sha256(absl::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  return Hmac(key).Sign(data);
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> HexDecode(absl::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("odd hex length");
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = absl::ascii_tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("not hex");
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

absl::StatusOr<std::string> Seal(absl::string_view key,
                                 absl::string_view plaintext) {
  ASSIGN_OR_RETURN(std::unique_ptr<Sealer> sealer, Sealer::Create(key));
  return sealer->Seal(plaintext);
}

absl::StatusOr<std::string> Open(absl::string_view key,
                                 absl::string_view sealed) {
  if (key.size() != 32)
    return absl::InvalidArgumentError("key must be 32 bytes");
  if (sealed.size() < kNonceSize + kTagSize)
    return absl::DataLossError("sealed value too short");
  size_t n = sealed.size() - kNonceSize - kTagSize;
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(n, '\0');
  std::string tag(sealed.substr(kNonceSize + n));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         s) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                        &len, s + kNonceSize, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(),
                          reinterpret_cast<unsigned char*>(out.data()) + len,
                          &len) != 1) {
    return absl::DataLossError("sealed value fails authentication");
  }
  return out;
}

struct Hmac::Contexts {
  EVP_MD_CTX* inner = EVP_MD_CTX_new();
  EVP_MD_CTX* outer = EVP_MD_CTX_new();
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  ~Contexts() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
    EVP_MD_CTX_free(work);
  }
};

struct Sha256Hasher::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

namespace {
const EVP_MD* FetchedSha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
}  // namespace

Sha256Hasher::Sha256Hasher() : ctx_(std::make_unique<Context>()) { Reset(); }
Sha256Hasher::~Sha256Hasher() = default;
void Sha256Hasher::Reset() {
  EVP_DigestInit_ex(ctx_->ctx, FetchedSha256(), nullptr);
}
void Sha256Hasher::Update(absl::string_view data) {
  EVP_DigestUpdate(ctx_->ctx, data.data(), data.size());
}
void Sha256Hasher::Final(unsigned char out[32]) {
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->ctx, out, &len);
}

// RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), with both pad blocks
// absorbed once into saved digest states.
Hmac::Hmac(absl::string_view key) : ctx_(std::make_unique<Contexts>()) {
  std::string block(64, '\0');
  std::string k = key.size() > 64 ? Sha256(key) : std::string(key);
  std::copy(k.begin(), k.end(), block.begin());
  std::string ipad = block, opad = block;
  for (size_t i = 0; i < 64; ++i) {
    ipad[i] = static_cast<char>(ipad[i] ^ 0x36);
    opad[i] = static_cast<char>(opad[i] ^ 0x5c);
  }
  EVP_DigestInit_ex(ctx_->inner, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx_->inner, ipad.data(), ipad.size());
  EVP_DigestInit_ex(ctx_->outer, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx_->outer, opad.data(), opad.size());
}

Hmac::~Hmac() = default;

std::string Hmac::Sign(absl::string_view data) {
  unsigned char inner[32];
  std::string out(32, '\0');
  unsigned int len = 0;
  EVP_MD_CTX_copy_ex(ctx_->work, ctx_->inner);
  EVP_DigestUpdate(ctx_->work, data.data(), data.size());
  EVP_DigestFinal_ex(ctx_->work, inner, &len);
  EVP_MD_CTX_copy_ex(ctx_->work, ctx_->outer);
  EVP_DigestUpdate(ctx_->work, inner, sizeof(inner));
  EVP_DigestFinal_ex(ctx_->work, reinterpret_cast<unsigned char*>(out.data()),
                     &len);
  return out;
}

struct Sealer::Context {
  CipherCtx cipher{EVP_CIPHER_CTX_new()};
};

absl::StatusOr<std::unique_ptr<Sealer>> Sealer::Create(absl::string_view key) {
  if (key.size() != 32)
    return absl::InvalidArgumentError("key must be 32 bytes");
  std::unique_ptr<Sealer> sealer(new Sealer());
  sealer->ctx_ = std::make_unique<Context>();
  sealer->prefix_ = RandomBytes(8);
  if (!sealer->ctx_->cipher ||
      EVP_EncryptInit_ex(sealer->ctx_->cipher.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         nullptr) != 1) {
    return absl::InternalError("AES-GCM key setup failed");
  }
  return sealer;
}

Sealer::~Sealer() = default;

absl::StatusOr<std::string> Sealer::Seal(absl::string_view plaintext) {
  if (counter_ == UINT32_MAX)
    return absl::ResourceExhaustedError("nonce space used up");
  ++counter_;
  std::string out = prefix_;
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((counter_ >> shift) & 0xff));
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  EVP_CIPHER_CTX* c = ctx_->cipher.get();
  int len = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, o) != 1 ||
      EVP_EncryptUpdate(
          c, o + kNonceSize, &len,
          reinterpret_cast<const unsigned char*>(plaintext.data()),
          static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(c, o + kNonceSize + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagSize,
                          o + kNonceSize + plaintext.size()) != 1) {
    return absl::InternalError("AES-GCM encryption failed");
  }
  return out;
}

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  std::string salt = RandomBytes(16);
  ASSIGN_OR_RETURN(std::string hash,
                   Scrypt(password, salt, kScryptN, kScryptR, kScryptP));
  return absl::StrCat("scrypt$", kScryptN, "$", kScryptR, "$", kScryptP, "$",
                      HexEncode(salt), "$", HexEncode(hash));
}

bool VerifyPassword(absl::string_view password, absl::string_view encoded) {
  std::vector<absl::string_view> parts = absl::StrSplit(encoded, '$');
  uint64_t n, r, p;
  if (parts.size() != 6 || parts[0] != "scrypt" ||
      !absl::SimpleAtoi(parts[1], &n) || !absl::SimpleAtoi(parts[2], &r) ||
      !absl::SimpleAtoi(parts[3], &p)) {
    return false;
  }
  auto salt = HexDecode(parts[4]);
  auto expected = HexDecode(parts[5]);
  if (!salt.ok() || !expected.ok()) return false;
  auto actual = Scrypt(password, *salt, n, r, p);
  return actual.ok() && actual->size() == expected->size() &&
         CRYPTO_memcmp(actual->data(), expected->data(), actual->size()) == 0;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto key = HexDecode(absl::StripAsciiWhitespace(buffer.str()));
  if (!key.ok() || key->size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " must hold 64 hex characters (a 32-byte key)"));
  }
  return *key;
}

absl::Status CreateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return errno == EEXIST
               ? absl::AlreadyExistsError(absl::StrCat(path, " already exists"))
               : absl::InternalError(absl::StrCat("cannot create ", path));
  }
  std::string text = HexEncode(RandomBytes(32)) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  return ok ? absl::OkStatus()
            : absl::InternalError(absl::StrCat("cannot write ", path));
}

}  // namespace ntmis::crypto
