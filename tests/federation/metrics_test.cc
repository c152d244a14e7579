// The nodes' Prometheus metrics (common/metrics/metrics.h) over plain HTTP: the
// endpoint answers Prometheus text whose every line parses, and its
// counters move when calls, syncs, logins and audit checks happen.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <map>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/rpc/health_probe.h"
#include "ntmis/v1/provincial.grpc.pb.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;

// GET /metrics, every sample line checked against the text format (values
// as Prometheus reads them: Go's ParseFloat, so "Nan" and "+Inf" too), as a
// map from "name{labels}" to value.
std::map<std::string, double> Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result r = client.Get("/metrics");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK_THAT(r->get_header_value("Content-Type"),
             Catch::Contains("text/plain"));
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (-?[0-9.eE+-]+|[+-]?[Ii]nf|[Nn]a[Nn])( -?[0-9]+)?$)");
  static const std::regex kComment(
      R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::map<std::string, double> samples;
  for (absl::string_view line :
       absl::StrSplit(r->body, '\n', absl::SkipEmpty())) {
    const std::string text(line);
    if (text[0] == '#') {
      CHECK(std::regex_match(text, kComment));
      continue;
    }
    std::smatch m;
    INFO(text);
    REQUIRE(std::regex_match(text, m, kSample));
    double value = 0;
    if (absl::SimpleAtod(m[5].str(), &value)) samples[m[1].str()] = value;
  }
  return samples;
}

TEST_CASE("The metrics endpoint speaks Prometheus text and its counters move",
          "[metrics]") {
  Federation f;
  f.national_config().set_metrics_listen("127.0.0.1:0");
  f.StopNational();
  f.StartNational();
  const int port = f.national().metrics_port();
  REQUIRE(port > 0);
  f.AddProvince("44");
  f.LoadSynthetic("44", 40, 5);
  NTMIS_ASSERT_OK(f.Sync("44").status());

  const std::string cursor =
      R"(ntmis_grpc_requests_total{code="OK",method="/ntmis.v1.NationalSync/GetCursor"})";
  std::map<std::string, double> before = Scrape(port);
  CHECK(before[cursor] >= 1);
  CHECK(before[R"(ntmis_national_records{province="44"})"] == 40);
  CHECK(before[R"(ntmis_sync_runs_total{result="ok"})"] >= 1);
  CHECK(before.count(
      R"(ntmis_grpc_request_seconds_bucket{method="/ntmis.v1.NationalSync/GetCursor",le="+Inf"})"));

  // Another sync, a refused login and an audit check move their counters.
  NTMIS_ASSERT_OK(f.Sync("44").status());
  auto stranger = ValueOrDie(provincial::ApiClient::Connect(
      f.province_address("44"), f.pki().ca_cert()));
  CHECK_FALSE(stranger->Login("admin", "not-the-password").ok());
  NTMIS_ASSERT_OK(f.Admin("44")
                      ->Call(&Stub::VerifyAudit, v1::VerifyAuditRequest())
                      .status());
  std::map<std::string, double> after = Scrape(port);
  CHECK(after[cursor] > before[cursor]);
  CHECK(after[R"(ntmis_sync_runs_total{result="ok"})"] >
        before[R"(ntmis_sync_runs_total{result="ok"})"]);
  CHECK(after[R"(ntmis_logins_total{result="UNAUTHENTICATED"})"] >
        before[R"(ntmis_logins_total{result="UNAUTHENTICATED"})"]);
  CHECK(after[R"(ntmis_audit_verify_total{result="intact"})"] >
        before[R"(ntmis_audit_verify_total{result="intact"})"]);
  CHECK(
      after
          [R"(ntmis_grpc_requests_total{code="OK",method="/ntmis.v1.ProvincialApi/VerifyAudit"})"] >=
      1);

  // The probe's answer, over the node's TLS.
  CHECK(ValueOrDie(ProbeHealth(
            f.ChannelAs(f.pki().For(PeerIdentity::Operator("probe"))),
            std::chrono::seconds(5))) == "SERVING");
}

TEST_CASE(
    "A metrics address that cannot be used stops the node with the reason",
    "[metrics]") {
  Federation f;
  httplib::Server holder;
  const int taken = holder.bind_to_any_port("127.0.0.1");
  f.StopNational();
  v1::NationalConfig config = f.national_config();
  config.set_metrics_listen(absl::StrCat("127.0.0.1:", taken));
  absl::StatusOr<std::unique_ptr<national::NationalServer>> refused =
      national::NationalServer::Start(config);
  CHECK(absl::IsUnavailable(refused.status()));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("cannot serve metrics"));
}

}  // namespace
}  // namespace ntmis::testing
