// ntmis-national pki …: the federation CA, the certificates it issues and
// revokes, and its revocation list (common/pki/pki.h).
#include <ctime>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/pki/pki.h"
#include "common/pki/revocation_check.h"
#include "common/tables/text_table.h"
#include "common/teacher/code_tables.h"
#include "national/cli/commands.h"

namespace ntmis::national {
namespace {

using cli::Args;
using cli::Command;

absl::Status PkiInit(const Args& args) {
  if (!args.Has("dir"))
    return absl::InvalidArgumentError("--dir DIR is required");
  RETURN_IF_ERROR(pki::InitCa(args.Get("dir"), args.Get("org", "NTMIS")));
  if (args.Has("crl-url"))
    RETURN_IF_ERROR(pki::SetCrlUrl(args.Get("dir"), args.Get("crl-url")));
  pki::CaPaths paths(args.Get("dir"));
  std::cout << "federation CA created: " << paths.cert()
            << "\nID-hash key for provinces: " << paths.id_hash_key() << "\n";
  return absl::OkStatus();
}

absl::Status PkiIssue(const Args& args) {
  if (!args.Has("dir"))
    return absl::InvalidArgumentError("--dir DIR is required");
  int kinds =
      args.Has("province") + args.Has("national") + args.Has("operator");
  if (kinds != 1)
    return absl::InvalidArgumentError(
        "give exactly one of --province CODE, --national, --operator NAME");
  pki::IssueRequest request{PeerIdentity::National(), "", {}, {}};
  std::string stem;
  if (args.Has("province")) {
    int code = 0;
    if (args.Get("province").size() != 2 ||
        !absl::SimpleAtoi(args.Get("province"), &code) ||
        !IsProvinceCode(code)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--province ", args.Get("province"),
                       " is not a province code; allowed: ",
                       CodeTable::Of<v1::Province>().AllowedValues()));
    }
    ASSIGN_OR_RETURN(
        PeerIdentity id,
        ParsePeerIdentity("spiffe://ntmis/province/" + args.Get("province")));
    request.identity = id;
    stem = "province-" + id.name;
  } else if (args.Has("operator")) {
    if (!args.Has("role")) {
      return absl::InvalidArgumentError(
          "--operator needs --role admin|manager|querier (ministry "
          "administrator, information "
          "manager, querier)");
    }
    ASSIGN_OR_RETURN(OperatorRole role, ParseOperatorRole(args.Get("role")));
    ASSIGN_OR_RETURN(
        PeerIdentity id,
        ParsePeerIdentity(
            PeerIdentity::Operator(args.Get("operator"), role).Uri()));
    request.identity = id;
    stem = "operator-" + id.name;
  } else {
    stem = "national";
  }
  for (const std::string& host : args.GetAll("host")) {
    bool ip =
        !host.empty() && (std::isdigit(static_cast<unsigned char>(host[0])) ||
                          host.find(':') != std::string::npos);
    (ip ? request.ip_addresses : request.dns_names).push_back(host);
  }
  ASSIGN_OR_RETURN(int64_t days, args.GetInt("days", 825));
  request.days = static_cast<int>(days);
  std::string out = args.Get("out", args.Get("dir") + "/" + stem);
  RETURN_IF_ERROR(pki::Issue(args.Get("dir"), request, out));
  // The revocation list as it is now, handed out with the certificate: a
  // province starts with it (tls.crl_file) and its syncs keep it current.
  std::error_code ec;
  std::filesystem::copy_file(pki::CaPaths(args.Get("dir")).crl(), out + ".crl",
                             std::filesystem::copy_options::overwrite_existing,
                             ec);
  std::cout << "issued " << request.identity.Uri() << ": " << out << ".crt, "
            << out << ".key"
            << (ec ? "" : absl::StrCat(", ", out, ".crl (the revocation list)"))
            << "\n";
  return absl::OkStatus();
}

std::string Day(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

absl::Status PkiRevoke(const Args& args) {
  if (!args.Has("dir"))
    return absl::InvalidArgumentError("--dir DIR is required");
  pki::RevokeRequest request{args.Get("serial"), args.Get("province"),
                             args.Get("operator"), args.Get("reason")};
  ASSIGN_OR_RETURN(std::vector<pki::IssuedCertificate> revoked,
                   pki::Revoke(args.Get("dir"), request, std::time(nullptr)));
  for (const pki::IssuedCertificate& c : revoked)
    std::cout << "revoked " << c.serial << " " << c.identity << "\n";
  std::cout << "the revocation list " << pki::CaPaths(args.Get("dir")).crl()
            << " is signed anew: the national node refuses these certificates "
               "at their next "
               "connection (open ones end within its "
               "max_connection_age_seconds); provinces get "
               "the list at their next sync\n";
  return absl::OkStatus();
}

absl::Status PkiList(const Args& args) {
  if (!args.Has("dir"))
    return absl::InvalidArgumentError("--dir DIR is required");
  ASSIGN_OR_RETURN(std::vector<pki::IssuedCertificate> certs,
                   pki::ListIssued(args.Get("dir")));
  TextTable table = {
      {"serial", "identity", "issued", "expires", "revoked", "reason"}};
  for (const pki::IssuedCertificate& c : certs) {
    table.push_back({c.serial, c.identity, Day(c.issued_unix),
                     Day(c.not_after_unix), Day(c.revoked_unix), c.reason});
  }
  std::cout << RenderTable(table, {}, /*csv=*/false);
  absl::StatusOr<std::string> crl =
      ReadFile(pki::CaPaths(args.Get("dir")).crl());
  absl::StatusOr<RevocationListInfo> info =
      crl.ok() ? CheckRevocationList(*crl, pki::CaPaths(args.Get("dir")).cert())
               : crl.status();
  if (info.ok()) {
    std::cout << "revocation list number " << info->number << ", "
              << info->revoked << " revoked, next update "
              << Day(info->next_update_unix)
              << " (renew before then: pki crl)\n";
  } else {
    std::cout << "revocation list: " << info.status().message() << "\n";
  }
  return absl::OkStatus();
}

absl::Status PkiCrl(const Args& args) {
  if (!args.Has("dir"))
    return absl::InvalidArgumentError("--dir DIR is required");
  RETURN_IF_ERROR(pki::WriteCrl(args.Get("dir"), std::time(nullptr)));
  std::cout << "revocation list " << pki::CaPaths(args.Get("dir")).crl()
            << " signed anew, valid " << pki::kCrlValidityDays << " days\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> PkiCommands() {
  return {
      {"pki init",
       "create the federation CA and the ID-hash key",
       "",
       {{"dir", "DIR", "CA directory (created)"},
        {"org", "NAME", "organisation name (default NTMIS)"},
        {"crl-url", "URL",
         "where the revocation list is published "
         "(http://HOST:PORT/revoked.crl; "
         "the national node's crl_listen serves it)"}},
       PkiInit},
      {"pki crl-url",
       "name where the revocation list is published, in certificates issued "
       "from now on",
       "",
       {{"dir", "DIR", "CA directory"},
        {"url", "URL", "http://HOST:PORT/revoked.crl"}},
       [](const Args& args) -> absl::Status {
         RETURN_IF_ERROR(pki::SetCrlUrl(args.Get("dir"), args.Get("url")));
         std::cout << "certificates issued from now on name " << args.Get("url")
                   << " as their CRL distribution point\n";
         return absl::OkStatus();
       }},
      {"pki issue",
       "issue a national, province or operator certificate",
       "",
       {{"dir", "DIR", "CA directory"},
        {"province", "CODE",
         "a province node certificate (spiffe://ntmis/province/CODE)"},
        {"national", "", "the national node's certificate"},
        {"operator", "NAME",
         "an operator certificate (spiffe://ntmis/operator/ROLE/NAME)"},
        {"role", "ROLE", "the operator's role: admin, manager or querier"},
        {"host", "NAME|IP", "server name or address to include (repeatable)"},
        {"days", "N", "validity (default 825)"},
        {"out", "PREFIX",
         "write PREFIX.crt and PREFIX.key (default DIR/<kind>)"}},
       PkiIssue},
      {"pki revoke",
       "revoke certificates and sign the revocation list anew",
       "",
       {{"dir", "DIR", "CA directory"},
        {"serial", "HEX", "one certificate, by the serial `pki list` shows"},
        {"province", "CODE", "every certificate of the province's node"},
        {"operator", "NAME", "every certificate of the operator"},
        {"reason", "TEXT", "why (required; kept in the register)"}},
       PkiRevoke},
      {"pki list",
       "what the CA issued and revoked, and its revocation list",
       "",
       {{"dir", "DIR", "CA directory"}},
       PkiList},
      {"pki crl",
       "sign the revocation list anew (before its next update passes)",
       "",
       {{"dir", "DIR", "CA directory"}},
       PkiCrl},
  };
}

}  // namespace ntmis::national
