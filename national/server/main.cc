// ntmis-national: the federation CA, the national node, and operator queries.
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/audit_archive.h"
#include "common/cli.h"
#include "common/config.h"
#include "common/grpc_status.h"
#include "common/health_probe.h"
#include "common/import_report.h"
#include "common/pki.h"
#include "common/revocation_check.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/text_table.h"
#include "common/tls.h"
#include "common/writable_path.h"
#include "national/ingest/national_store.h"
#include "national/query/report_format.h"
#include "national/server/backup.h"
#include "national/server/server.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {
namespace {

constexpr char kProgram[] = "ntmis-national";
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

absl::Status Serve(const Args& args) {
  if (!args.Has("config"))
    return absl::InvalidArgumentError("--config FILE is required");
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  if (args.Has("listen")) config.set_listen(args.Get("listen"));
  if (args.Has("address-file"))
    RETURN_IF_ERROR(
        CheckWritableFile(args.Get("address-file"), "--address-file"));
  ASSIGN_OR_RETURN(auto server, NationalServer::Start(config));
  std::string host = config.listen().substr(0, config.listen().rfind(':'));
  std::string address = absl::StrCat(host, ":", server->port());
  if (server->metrics_port() != 0) {
    std::cerr << kProgram << ": metrics on http://"
              << config.metrics_listen().substr(
                     0, config.metrics_listen().rfind(':'))
              << ":" << server->metrics_port() << "/metrics\n";
  }
  if (server->crl_port() != 0) {
    std::cerr << kProgram << ": revocation list on http://"
              << config.crl_listen().substr(0, config.crl_listen().rfind(':'))
              << ":" << server->crl_port() << "/revoked.crl\n";
  }
  // Last: whoever waits for the address file finds the lines above written.
  std::cerr << kProgram << ": national node serving on " << address << "\n";
  if (args.Has("address-file"))
    RETURN_IF_ERROR(WriteAddressFile(args.Get("address-file"), address));
  int sig = cli::WaitForShutdownSignal();
  std::cerr << kProgram << ": signal " << sig << ", shutting down\n";
  server->Shutdown();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OperatorChannel(
    const Args& args) {
  for (const char* flag : {"server", "ca", "cert", "key"})
    if (!args.Has(flag))
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " is required"));
  v1::TlsFiles tls;
  tls.set_ca_cert(args.Get("ca"));
  tls.set_cert(args.Get("cert"));
  tls.set_key(args.Get("key"));
  ASSIGN_OR_RETURN(auto creds, MakeChannelCredentials(tls));
  return MakeChannel(args.Get("server"), creds);
}

absl::StatusOr<std::unique_ptr<v1::NationalQuery::Stub>> QueryStub(
    const Args& args) {
  ASSIGN_OR_RETURN(auto channel, OperatorChannel(args));
  return v1::NationalQuery::NewStub(channel);
}

// The node's health for scripts and systemd: exit 0 only when SERVING.
absl::Status Probe(const Args& args) {
  ASSIGN_OR_RETURN(auto channel, OperatorChannel(args));
  ASSIGN_OR_RETURN(int64_t timeout, args.GetInt("timeout", 5));
  ASSIGN_OR_RETURN(std::string health,
                   ProbeHealth(channel, std::chrono::seconds(timeout)));
  std::cout << health << "\n";
  if (health != "SERVING")
    return absl::UnavailableError(
        absl::StrCat("the national node is ", health));
  return absl::OkStatus();
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

absl::Status QueryAggregate(const Args& args) {
  ASSIGN_OR_RETURN(Format format, ParseFormat(args.Get("format", "table")));
  v1::AggregateRequest request;
  for (absl::string_view dim :
       absl::StrSplit(args.Get("by"), ',', absl::SkipEmpty()))
    request.add_group_by(std::string(dim));
  for (const std::string& where : args.GetAll("where")) {
    std::vector<std::string> parts =
        absl::StrSplit(where, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty())
      return absl::InvalidArgumentError(
          absl::StrCat("--where '", where, "': expected DIM=VALUE[,VALUE...]"));
    v1::Filter* f = request.add_where();
    f->set_dimension(parts[0]);
    for (absl::string_view v : absl::StrSplit(parts[1], ',', absl::SkipEmpty()))
      f->add_values(std::string(v));
  }
  request.set_age_reference(args.Get("age-at"));
  ASSIGN_OR_RETURN(auto stub, QueryStub(args));
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  v1::AggregateResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(stub->Aggregate(&context, request, &response)));
  std::cout << FormatAggregate(response, format);
  return absl::OkStatus();
}

absl::Status QueryLookup(const Args& args) {
  ASSIGN_OR_RETURN(Format format, ParseFormat(args.Get("format", "table")));
  v1::LookupRequest request;
  if (args.Has("teacher") == args.Has("id-card"))
    return absl::InvalidArgumentError(
        "give exactly one of --teacher NUMBER, --id-card NUMBER");
  if (args.Has("teacher")) request.set_teacher_number(args.Get("teacher"));
  if (args.Has("id-card")) request.set_id_card_number(args.Get("id-card"));
  request.set_reason(args.Get("reason"));
  ASSIGN_OR_RETURN(auto stub, QueryStub(args));
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  v1::LookupResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->Lookup(&context, request, &response)));
  if (response.matches_size() > 1) {
    std::cout << "identity conflict: " << response.matches_size()
              << " provinces hold this person\n";
  }
  std::cout << FormatLookup(response, format);
  return absl::OkStatus();
}

absl::Status QueryProvinces(const Args& args) {
  ASSIGN_OR_RETURN(Format format, ParseFormat(args.Get("format", "table")));
  ASSIGN_OR_RETURN(auto stub, QueryStub(args));
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  v1::ProvincesResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->Provinces(&context, {}, &response)));
  std::cout << FormatProvinces(response, format, std::time(nullptr));
  return absl::OkStatus();
}

absl::Status QueryTransfers(const Args& args) {
  v1::TransfersRequest request;
  ASSIGN_OR_RETURN(int64_t days, args.GetInt("stuck-days", 30));
  request.set_stuck_days(static_cast<uint32_t>(days));
  request.set_open_only(args.Has("open"));
  ASSIGN_OR_RETURN(auto stub, QueryStub(args));
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  v1::TransfersResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(stub->Transfers(&context, request, &response)));
  std::cout << response.open() << " transfers between provinces in progress, "
            << response.stuck() << " waiting more than " << days << " days\n";
  std::vector<std::vector<std::string>> rows{
      {"from", "to", "case", "teacher", "state", "filed", "updated", ""}};
  auto day = [](int64_t seconds) {
    return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(seconds),
                            absl::UTCTimeZone());
  };
  for (const v1::TransferSummary& t : response.transfers()) {
    rows.push_back({t.sending_province(), t.receiving_province(),
                    absl::StrCat(t.receiving_case()), t.teacher_number(),
                    t.state(), day(t.filed_unix()), day(t.updated_unix()),
                    t.stuck() ? "STUCK" : ""});
  }
  std::cout << RenderTable(rows, {}, args.Get("format") == "csv");
  return absl::OkStatus();
}

const std::vector<cli::Flag>& QueryFlags() {
  static const auto* flags = new std::vector<cli::Flag>{
      {"server", "HOST:PORT", "national node address"},
      {"ca", "FILE", "federation CA certificate"},
      {"cert", "FILE", "operator certificate"},
      {"key", "FILE", "operator private key"},
      {"format", "table|csv|json", "output format (default table)"}};
  return *flags;
}

std::vector<cli::Flag> With(std::vector<cli::Flag> flags,
                            const std::vector<cli::Flag>& more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

absl::Status Check(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(auto store, NationalStore::Open(config.data_dir()));
  std::vector<std::string> codes = store->KnownProvinces();
  if (args.Has("province")) codes = {args.Get("province")};
  uint64_t broken = 0;
  for (const std::string& code : codes) {
    ASSIGN_OR_RETURN(ProvinceDb * db, store->Province(code, /*create=*/false));
    ASSIGN_OR_RETURN(CheckReport report, db->Check());
    std::cout << "province " << code << ": " << report.teachers << " records, ";
    if (report.problems.empty()) {
      std::cout << "rollup, digests and count equal a recount\n";
      continue;
    }
    std::cout << report.problems.size() << " problems\n";
    for (const std::string& p : report.problems) std::cout << "  " << p << "\n";
    if (args.Has("repair")) {
      RETURN_IF_ERROR(db->Rebuild());
      std::cout << "  rebuilt from the stored records; run `ntmis-provincial "
                   "sync --verify` "
                   "in the province to re-send what the records lack\n";
    } else {
      ++broken;
    }
  }
  if (broken > 0)
    return absl::DataLossError(
        absl::StrCat(broken, " provinces need --repair"));
  return absl::OkStatus();
}

absl::Status RegistryTemplate(const Args&) {
  std::cout << absl::StrJoin(SchoolRegistry::Columns(), ",") << "\n";
  return absl::OkStatus();
}

absl::Status RegistryImport(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  if (!args.Has("file"))
    return absl::InvalidArgumentError("--file CSV is required");
  const bool dry_run = args.Has("dry-run");
  ASSIGN_OR_RETURN(std::string csv, ReadFile(args.Get("file")));
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto registry, SchoolRegistry::Open(path));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  ASSIGN_OR_RETURN(SchoolRegistry::ImportResult result,
                   registry->Import(csv, dry_run));
  const bool ok = result.problems.empty();
  if (!dry_run) {
    RETURN_IF_ERROR(audit->AppendAndFlush(
        {"local operator (ntmis-national registry import)", "registry.import",
         args.Get("file"), ok ? "ok" : "INVALID_ARGUMENT",
         ok ? absl::StrCat(result.rows, " rows, ", result.changed,
                           " changed, version ", result.version)
            : absl::StrCat(result.problems.size(),
                           " problems; nothing stored")}));
  }
  std::cout << (dry_run ? "dry run: " : "") << "school registry: rows "
            << result.rows_read << ", valid " << result.rows << ", problems "
            << result.problems.size() << "\n";
  if (args.Has("report")) {
    std::ofstream(args.Get("report"), std::ios::binary)
        << ImportProblemsCsv(result.problems);
    std::cout << "problems written to " << args.Get("report") << "\n";
  } else {
    PrintImportProblems(std::cout, result.problems, result.problems.size());
  }
  if (!ok) {
    std::cout << "the registry is unchanged (all or nothing)\n";
    return ImportOutcome(result.problems.size(), 0, dry_run);
  }
  std::cout << result.changed << (dry_run ? " would be" : "")
            << " new or changed; version " << result.version
            << (dry_run ? " (nothing stored)"
                        : " (provinces pull it on their next sync)")
            << "\n";
  return absl::OkStatus();
}

// The national node's own audit chain, against its anchor (run on the node's
// host: it reads national.db and the anchor beside it).
absl::Status AuditVerify(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  AuditVerifyOptions options;
  options.full = args.Has("full");
  if (args.Has("archive"))
    options.archive_dir = AuditArchivePlanFrom(config.audit(), path).dir;
  options.progress = PrintAuditVerifyProgress;
  ASSIGN_OR_RETURN(AuditVerifyReport report, audit->Verify(options));
  std::cout << DescribeAuditVerify(report) << "\n";
  return absl::OkStatus();
}

// Accepts a province's audit chain as it is now, after its problem was
// looked into (e.g. the province was restored from a backup).
absl::Status AuditAccept(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  const std::string province = args.Get("province");
  const std::string reason = args.Get("reason");
  if (province.empty())
    return absl::InvalidArgumentError("--province CODE is required");
  if (reason.empty())
    return absl::InvalidArgumentError(
        "--reason TEXT is required (kept in the audit log)");
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto anchors, AuditAnchors::Open(path));
  ASSIGN_OR_RETURN(v1::AuditAnchorState held, anchors->Get(province));
  RETURN_IF_ERROR(anchors->Accept(province));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-national audit accept)", "audit.accept", province,
       "ok",
       absl::StrCat("reason: ", reason, "; held ", held.count(),
                    " entries; problem: ",
                    held.problem().empty() ? "none" : held.problem())}));
  std::cout << "province " << province << ": the audit head held ("
            << held.count()
            << " entries) is forgotten; its next sync anchors its chain as it "
               "is then\n";
  return absl::OkStatus();
}

absl::Status Backup(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(NationalBackupReport report,
                   BackupNational(config, args.Get("to")));
  std::cout << "backup written to " << args.Get("to") << ": "
            << report.files.size() << " files ("
            << absl::StrJoin(report.files, ", ") << "), " << report.bytes
            << " bytes\nnot in the backup - keep these files elsewhere, as "
               "safely as the backup:\n";
  for (const std::string& key : report.keys_not_included)
    std::cout << "  " << key << "\n";
  return absl::OkStatus();
}

absl::Status Restore(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(NationalBackupReport report,
                   RestoreNational(config, args.Get("from")));
  std::cout << "restored " << report.files.size() << " files from "
            << args.Get("from") << "; the files replaced are in "
            << report.set_aside
            << "\nnext: start the node; each province's next sync sends what "
               "the backup lacks\n";
  return absl::OkStatus();
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
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
      {"serve",
       "run the national node until SIGINT or SIGTERM",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"listen", "HOST:PORT", "override config.listen"},
        {"address-file", "FILE",
         "write the bound host:port here once listening"}},
       Serve},
      {"query aggregate", "teacher counts grouped by up to four dimensions", "",
       With(QueryFlags(),
            {{"by", "DIM[,DIM...]",
              "province, city, county, school_category, gender, age_band, "
              "ethnicity, education, degree, title, post_type, status, "
              "employment_type"},
             {"where", "DIM=V[,V...]",
              "filter (repeatable); age_band values: 0-24, 25-29, "
              "..., 55-59, 60+"},
             {"age-at", "YEAR",
              "count ages on 31 August of YEAR (default: the latest)"}}),
       QueryAggregate},
      {"query provinces", "every province's sync health", "", QueryFlags(),
       QueryProvinces},
      {"probe",
       "the node's gRPC health check: prints SERVING (exit 0) or why not",
       "",
       {{"server", "HOST:PORT", "national node address"},
        {"ca", "FILE", "federation CA certificate"},
        {"cert", "FILE", "operator (or national node) certificate"},
        {"key", "FILE", "its private key"},
        {"timeout", "S", "seconds to wait (default 5)"}},
       Probe},
      {"query transfers",
       "transfers between provinces: in progress, stuck, decided", "",
       With(QueryFlags(),
            {{"stuck-days", "N",
              "an open transfer older than N days is stuck (default 30)"},
             {"open", "", "only those in progress"}}),
       QueryTransfers},
      {"query lookup",
       "one teacher's national record (role manager or admin; audited)", "",
       With(QueryFlags(),
            {{"teacher", "NUMBER", "by teacher number"},
             {"id-card", "NUMBER", "by ID-card number (hashed, never stored)"},
             {"reason", "TEXT", "why (required; kept in the audit log)"}}),
       QueryLookup},
      {"registry template",
       "print the school-registry CSV header",
       "",
       {},
       RegistryTemplate},
      {"registry import",
       "publish the national school registry (all or nothing)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"file", "CSV",
         "columns: code,name,county_code,school_category[,closed] (or their "
         "Chinese labels)"},
        {"dry-run", "", "check and count the changes; store nothing"},
        {"report", "FILE",
         "write every problem to FILE (CSV that Excel opens)"}},
       RegistryImport},
      {"backup",
       "copy national.db and every province file into a new directory while "
       "the node "
       "runs (the keys are not in it)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"to", "DIR", "the backup directory (must not exist)"}},
       Backup},
      {"restore",
       "bring the stopped node back from a backup directory (the replaced "
       "files are "
       "kept)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"from", "DIR", "a backup (ntmis-national backup)"}},
       Restore},
      {"audit verify",
       "check the national node's own audit chain and its anchor",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"full", "", "walk every entry, not only those since the last check"},
        {"archive", "", "also the archive files (implies --full)"}},
       AuditVerify},
      {"audit accept",
       "accept a province's audit chain as it is now, after its break was "
       "looked into (the next sync anchors it afresh)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"province", "CODE", "the province"},
        {"reason", "TEXT", "why (required; kept in the audit log)"}},
       AuditAccept},
      {"check",
       "recount every province's rollup, digests and record count from its "
       "records",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"province", "CODE", "only this province"},
        {"repair", "", "rebuild what differs from the stored records"}},
       Check},
  };
  return *commands;
}

}  // namespace
}  // namespace ntmis::national

int main(int argc, char** argv) {
  ntmis::cli::PrepareNodeProcess();
  return ntmis::cli::Dispatch(ntmis::national::kProgram,
                              ntmis::national::Commands(), argc, argv);
}
