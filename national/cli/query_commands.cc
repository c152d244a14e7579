// ntmis-national query … and probe: an operator's questions to a running
// node over mutual TLS (NationalQuery; national/rpc/query_service.h).
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/base/status_macros.h"
#include "common/pki/tls.h"
#include "common/rpc/grpc_status.h"
#include "common/rpc/health_probe.h"
#include "common/rpc/proto_json.h"
#include "common/tables/text_table.h"
#include "national/cli/commands.h"
#include "national/query/report_format.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {
namespace {

using cli::Args;
using cli::Command;

// An operator's connection settings: each from its flag, else from the
// environment (NTMIS_NATIONAL_SERVER, _CA, _CERT, _KEY), else from the
// connection file (--connection FILE, NTMIS_NATIONAL_CONNECTION, or
// ~/.config/ntmis/national.conf: lines "server = HOST:PORT", "ca = FILE",
// "cert = FILE", "key = FILE"; # starts a comment), so the four flags need
// not be typed on every command (docs/operators.md, "The national node").
absl::StatusOr<std::map<std::string, std::string>> ConnectionSettings(
    const Args& args) {
  std::map<std::string, std::string> settings;
  std::string file = args.Get("connection");
  if (file.empty()) {
    if (const char* env = std::getenv("NTMIS_NATIONAL_CONNECTION")) file = env;
  }
  bool explicit_file = !file.empty();
  if (file.empty()) {
    if (const char* home = std::getenv("HOME"))
      file = absl::StrCat(home, "/.config/ntmis/national.conf");
  }
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in && explicit_file)
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read the connection file ", file));
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      absl::string_view text = absl::StripAsciiWhitespace(
          absl::string_view(line).substr(0, line.find('#')));
      if (text.empty()) continue;
      std::vector<std::string> kv =
          absl::StrSplit(text, absl::MaxSplits('=', 1));
      const std::string key(absl::StripAsciiWhitespace(kv[0]));
      if (kv.size() != 2 ||
          (key != "server" && key != "ca" && key != "cert" && key != "key")) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, " line ", number,
            ": expected server|ca|cert|key = VALUE, got '", text, "'"));
      }
      settings[key] = std::string(absl::StripAsciiWhitespace(kv[1]));
    }
  }
  for (const char* key : {"server", "ca", "cert", "key"}) {
    if (const char* env = std::getenv(
            absl::StrCat("NTMIS_NATIONAL_", absl::AsciiStrToUpper(key))
                .c_str()))
      settings[key] = env;
    if (args.Has(key)) settings[key] = args.Get(key);
    if (settings[key].empty())
      return absl::InvalidArgumentError(absl::StrCat(
          "no ", key, ": give --", key, ", set NTMIS_NATIONAL_",
          absl::AsciiStrToUpper(key), ", or write '", key,
          " = …' in the connection file (--connection FILE, "
          "NTMIS_NATIONAL_CONNECTION or ~/.config/ntmis/national.conf)"));
  }
  return settings;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OperatorChannel(
    const Args& args) {
  ASSIGN_OR_RETURN(auto settings, ConnectionSettings(args));
  v1::TlsFiles tls;
  tls.set_ca_cert(settings["ca"]);
  tls.set_cert(settings["cert"]);
  tls.set_key(settings["key"]);
  ASSIGN_OR_RETURN(auto creds, MakeChannelCredentials(tls));
  return MakeChannel(settings["server"], creds);
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

// The retirement outlook (national/query/outlook.h): one line per row and
// the total; --format json prints the answer as it is.
absl::Status QueryOutlook(const Args& args) {
  v1::OutlookRequest request;
  request.set_by(args.Get("by", "province"));
  request.set_as_of(args.Get("as-of"));
  for (const std::string& where : args.GetAll("where")) {
    std::vector<std::string> kv =
        absl::StrSplit(where, absl::MaxSplits('=', 1));
    if (kv.size() != 2)
      return absl::InvalidArgumentError(
          absl::StrCat("--where '", where, "': expected DIM=VALUE[,VALUE...]"));
    v1::Filter* f = request.add_where();
    f->set_dimension(kv[0]);
    for (absl::string_view v : absl::StrSplit(kv[1], ',', absl::SkipEmpty()))
      f->add_values(std::string(v));
  }
  ASSIGN_OR_RETURN(auto stub, QueryStub(args));
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  v1::OutlookResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->Outlook(&context, request, &response)));
  if (args.Get("format") == "json") {
    std::cout << ProtoJson(response) << "\n";
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> rows{
      {response.by(), "name", "teachers", "reached"}};
  for (uint32_t h : response.horizons())
    rows[0].push_back(absl::StrCat("within ", h, "y"));
  rows[0].push_back(
      absl::StrCat("hired ", response.hire_years(0), "-",
                   response.hire_years(response.hire_years_size() - 1)));
  auto line = [&rows](const v1::OutlookRow& r) {
    std::vector<std::string> l{r.code(), r.label(), absl::StrCat(r.teachers()),
                               absl::StrCat(r.reached())};
    for (uint64_t n : r.within()) l.push_back(absl::StrCat(n));
    uint64_t hired = 0;
    for (uint64_t n : r.hires()) hired += n;
    l.push_back(absl::StrCat(hired));
    rows.push_back(std::move(l));
  };
  for (const v1::OutlookRow& r : response.rows()) line(r);
  line(response.total());
  std::cout << "as of " << response.as_of() << "; rules:\n";
  for (const std::string& rule : response.rules())
    std::cout << "  " << rule << "\n";
  std::cout << RenderTable(rows, {}, args.Get("format") == "csv");
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
      {"connection", "FILE",
       "connection settings (default ~/.config/ntmis/national.conf; "
       "NTMIS_NATIONAL_SERVER, _CA, _CERT, _KEY override it)"},
      {"format", "table|csv|json", "output format (default table)"}};
  return *flags;
}

std::vector<cli::Flag> With(std::vector<cli::Flag> flags,
                            const std::vector<cli::Flag>& more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

}  // namespace

std::vector<cli::Command> QueryCommands() {
  return {
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
      {"query outlook",
       "teachers reaching the retirement age in 1, 3, 5 and 10 years (the "
       "2025 reform applied) beside the hires of the last ten years",
       "",
       With(QueryFlags(),
            {{"by", "DIM",
              "province (default), city, county, school_category, title, "
              "post_type"},
             {"where", "DIM=V[,V...]",
              "filter (repeatable): province, city, county, school_category, "
              "title, post_type, gender"},
             {"as-of", "YYYY-MM-DD", "count from this day (default today)"}}),
       QueryOutlook},
      {"query provinces", "every province's sync health", "", QueryFlags(),
       QueryProvinces},
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
      {"probe",
       "the node's gRPC health check: prints SERVING (exit 0) or why not",
       "",
       {{"server", "HOST:PORT", "national node address"},
        {"ca", "FILE", "federation CA certificate"},
        {"cert", "FILE", "operator (or national node) certificate"},
        {"key", "FILE", "its private key"},
        {"connection", "FILE", "connection settings (as for query)"},
        {"timeout", "S", "seconds to wait (default 5)"}},
       Probe},
  };
}

}  // namespace ntmis::national
