// The CA's register of what it issued and revoked (ca/issued.tsv, one line
// per certificate: serial, identity, issued, not after, revoked, reason) and
// its revocation list (ca/revoked.crl), which every node checks its peers
// against (common/pki/revocation_check.h). The CA's commands take ca/pki.lock,
// so two operators' commands never interleave.
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/base/config.h"
#include "common/base/file_lock.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/pki/pki.h"
#include "common/pki/pki_internal.h"
#include "common/pki/revocation_check.h"

namespace ntmis::pki {
namespace {

using internal::OpenSslError;

std::string OneLine(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\t", " "}, {"\n", " "}, {"\r", " "}});
}

absl::StatusOr<std::vector<IssuedCertificate>> ReadRegister(
    const std::string& path) {
  std::vector<IssuedCertificate> out;
  std::ifstream in(path);
  if (!in) return out;  // nothing issued yet
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    IssuedCertificate c;
    if (f.size() != 6 || !absl::SimpleAtoi(f[2], &c.issued_unix) ||
        !absl::SimpleAtoi(f[3], &c.not_after_unix) ||
        !absl::SimpleAtoi(f[4], &c.revoked_unix)) {
      return absl::DataLossError(
          absl::StrCat(path, " line ", n, " is not a register line"));
    }
    c.serial = f[0];
    c.identity = f[1];
    c.reason = f[5];
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status WriteRegister(const std::string& path,
                           const std::vector<IssuedCertificate>& certs) {
  std::string text =
      "# serial\tidentity\tissued_unix\tnot_after_unix\trevoked_unix\treason\n";
  for (const IssuedCertificate& c : certs) {
    absl::StrAppend(&text, c.serial, "\t", c.identity, "\t", c.issued_unix,
                    "\t", c.not_after_unix, "\t", c.revoked_unix, "\t",
                    OneLine(c.reason), "\n");
  }
  return ReplaceFile(path, text);
}

absl::StatusOr<FileLock> LockCa(const std::string& ca_dir) {
  return FileLock::Acquire(
      ca_dir + "/pki.lock",
      "another pki command is running on this CA; try again");
}

// The number of the CA's current list (0 when there is none or it is not
// the CA's).
uint64_t CurrentCrlNumber(const CaPaths& paths) {
  absl::StatusOr<std::string> pem = ReadFile(paths.crl());
  if (!pem.ok()) return 0;
  absl::StatusOr<RevocationListInfo> info =
      CheckRevocationList(*pem, paths.cert());
  return info.ok() ? info->number : 0;
}

absl::Status SignCrl(const std::string& ca_dir,
                     const std::vector<IssuedCertificate>& certs,
                     int64_t now_unix) {
  CaPaths paths(ca_dir);
  ASSIGN_OR_RETURN(ossl::PKey ca_key, internal::ReadKey(paths.key()));
  ASSIGN_OR_RETURN(ossl::Cert ca_cert, internal::ReadCert(paths.cert()));
  ossl::Crl crl(X509_CRL_new());
  if (!crl) return OpenSslError("X509_CRL_new");
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert.get()));
  ossl::Asn1Time this_update(
      ASN1_TIME_set(nullptr, static_cast<time_t>(now_unix)));
  ossl::Asn1Time next_update(ASN1_TIME_set(
      nullptr,
      static_cast<time_t>(now_unix + int64_t{kCrlValidityDays} * 86400)));
  X509_CRL_set1_lastUpdate(crl.get(), this_update.get());
  X509_CRL_set1_nextUpdate(crl.get(), next_update.get());
  for (const IssuedCertificate& c : certs) {
    if (c.revoked_unix == 0) continue;
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, c.serial.c_str()) == 0)
      return OpenSslError(absl::StrCat("serial ", c.serial));
    ossl::Bignum bn(raw);
    ossl::Asn1Integer serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    ossl::Asn1Time when(
        ASN1_TIME_set(nullptr, static_cast<time_t>(c.revoked_unix)));
    X509_REVOKED* revoked = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(revoked, serial.get());
    X509_REVOKED_set_revocationDate(revoked, when.get());
    X509_CRL_add0_revoked(crl.get(), revoked);  // owned by the list now
  }
  ossl::Asn1Integer number(ASN1_INTEGER_new());
  ASN1_INTEGER_set_uint64(number.get(), CurrentCrlNumber(paths) + 1);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256()) == 0)
    return OpenSslError("sign CRL");
  ossl::Bio pem(BIO_new(BIO_s_mem()));
  if (!pem || PEM_write_bio_X509_CRL(pem.get(), crl.get()) != 1)
    return OpenSslError("write CRL");
  char* data = nullptr;
  const long size = BIO_get_mem_data(pem.get(), &data);
  return ReplaceFile(paths.crl(),
                     std::string_view(data, static_cast<size_t>(size)));
}

}  // namespace

namespace internal {

absl::Status RecordIssued(const std::string& ca_dir, X509* cert,
                          const std::string& identity) {
  ASSIGN_OR_RETURN(FileLock lock, LockCa(ca_dir));
  CaPaths paths(ca_dir);
  ASSIGN_OR_RETURN(std::vector<IssuedCertificate> certs,
                   ReadRegister(paths.issued()));
  IssuedCertificate c;
  c.serial = ossl::SerialHex(X509_get0_serialNumber(cert));
  c.identity = identity;
  c.issued_unix = ossl::UnixTime(X509_get0_notBefore(cert)) +
                  3600;  // issued an hour after notBefore
  c.not_after_unix = ossl::UnixTime(X509_get0_notAfter(cert));
  certs.push_back(std::move(c));
  return WriteRegister(paths.issued(), certs);
}

}  // namespace internal

absl::StatusOr<std::vector<IssuedCertificate>> ListIssued(
    const std::string& ca_dir) {
  return ReadRegister(CaPaths(ca_dir).issued());
}

absl::StatusOr<std::vector<IssuedCertificate>> Revoke(
    const std::string& ca_dir, const RevokeRequest& request, int64_t now_unix) {
  const int selectors = !request.serial.empty() + !request.province.empty() +
                        !request.operator_name.empty();
  if (selectors != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --serial HEX, --province CODE or --operator NAME");
  }
  if (absl::StripAsciiWhitespace(request.reason).empty())
    return absl::InvalidArgumentError(
        "--reason TEXT is required (it goes into the register)");
  ASSIGN_OR_RETURN(FileLock lock, LockCa(ca_dir));
  CaPaths paths(ca_dir);
  ASSIGN_OR_RETURN(std::vector<IssuedCertificate> certs,
                   ReadRegister(paths.issued()));
  const std::string serial = absl::AsciiStrToUpper(request.serial);
  const std::string province_uri =
      PeerIdentity::Province(request.province).Uri();
  const std::string operator_prefix = "spiffe://ntmis/operator/";
  auto matches = [&](const IssuedCertificate& c) {
    if (!serial.empty()) return c.serial == serial;
    if (!request.province.empty()) return c.identity == province_uri;
    // spiffe://ntmis/operator/NAME or spiffe://ntmis/operator/ROLE/NAME
    if (c.identity.rfind(operator_prefix, 0) != 0) return false;
    const std::string rest = c.identity.substr(operator_prefix.size());
    const size_t slash = rest.rfind('/');
    return (slash == std::string::npos ? rest : rest.substr(slash + 1)) ==
           request.operator_name;
  };
  std::vector<IssuedCertificate> revoked;
  int matched = 0;
  for (IssuedCertificate& c : certs) {
    if (!matches(c)) continue;
    ++matched;
    if (c.revoked_unix != 0) continue;
    c.revoked_unix = now_unix;
    c.reason = OneLine(request.reason);
    revoked.push_back(c);
  }
  const std::string what =
      !serial.empty() ? absl::StrCat("serial ", serial)
      : !request.province.empty()
          ? absl::StrCat("province ", request.province)
          : absl::StrCat("operator ", request.operator_name);
  if (matched == 0) {
    return absl::NotFoundError(
        absl::StrCat("no certificate of ", what, " in ", paths.issued(),
                     " (see `pki list`); nothing revoked"));
  }
  if (revoked.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "every certificate of ", what, " is already revoked; nothing changed"));
  }
  // The list first: if it cannot be signed, the register stays as it was.
  RETURN_IF_ERROR(SignCrl(ca_dir, certs, now_unix));
  RETURN_IF_ERROR(WriteRegister(paths.issued(), certs));
  return revoked;
}

absl::Status WriteCrl(const std::string& ca_dir, int64_t now_unix) {
  ASSIGN_OR_RETURN(FileLock lock, LockCa(ca_dir));
  ASSIGN_OR_RETURN(std::vector<IssuedCertificate> certs,
                   ReadRegister(CaPaths(ca_dir).issued()));
  return SignCrl(ca_dir, certs, now_unix);
}

}  // namespace ntmis::pki
