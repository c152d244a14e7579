// Benchmark: the ministry's console over its JSON API, against a national
// data directory built by ntmis_national_bench_db (tests/bench/dashboard.sh
// builds it; 20,000,000 teachers by default). A real NationalServer with
// its console (HTTPS, a central account's session) is started on the
// directory; then:
//   1. how long the start-up warm-up of the dashboard's views takes
//      (national/query/dashboard_warmup.h);
//   2. the dashboard's screens as the console asks them — the national
//      screen, a province's, a city's — each screen's five questions, with
//      random filters from the dashboard's nine (a filter the screen has
//      not seen before is a new panel shape: its first answer is reported
//      apart), N screens: per question p50 / p95 / p99 / max, and per
//      screen (the five asked one after another) p50 / p95;
//   3. the outlook, by province and by a province's cities.
//
//   ntmis_ministry_console_bench DIR [--screens N] [--hold FILE]
// With --hold it then writes the console's address, an account and the CA
// to FILE and serves until FILE is removed (tests/bench/ministry_console.sh
// runs the browser's half meanwhile).
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "national/query/aggregator.h"
#include "national/server/server.h"
#include "national/web/web_server.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

void CheckOk(const absl::Status& s) {
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Stats {
  std::vector<double> ms;
  std::string Line() {
    if (ms.empty()) return "none";
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
    };
    return absl::StrFormat(
        "n %zu, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", ms.size(),
        at(0.5), at(0.95), at(0.99), ms.back());
  }
};

class Console {
 public:
  Console(int port, const std::string& ca) : http_("127.0.0.1", port) {
    http_.set_ca_cert_path(ca.c_str());
    http_.enable_server_certificate_verification(true);
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
    http_.set_read_timeout(120, 0);
  }
  void Login(const std::string& user, const std::string& password) {
    httplib::Result r =
        http_.Post("/ntmis.v1.NationalQuery/Login",
                   absl::StrCat("{\"username\":\"", user, "\",\"password\":\"",
                                password, "\"}"),
                   "application/json");
    if (!r || r->status != 200)
      throw std::runtime_error("console login failed");
    std::vector<std::string> cookies;
    auto range = r->headers.equal_range("Set-Cookie");
    for (auto it = range.first; it != range.second; ++it) {
      std::string c = it->second.substr(0, it->second.find(';'));
      if (absl::StartsWith(c, "ntmis_csrf=")) csrf_ = c.substr(11);
      cookies.push_back(std::move(c));
    }
    cookie_ = absl::StrJoin(cookies, "; ");
  }
  // The answer's size; throws on anything but 200.
  size_t Call(const std::string& method, const std::string& body) {
    httplib::Headers headers{{"Cookie", cookie_}, {"X-CSRF-Token", csrf_}};
    httplib::Result r =
        http_.Post(("/ntmis.v1.NationalQuery/" + method).c_str(), headers, body,
                   "application/json");
    if (!r || r->status != 200)
      throw std::runtime_error(
          absl::StrCat(method, " ", body, ": ",
                       r ? r->body : httplib::to_string(r.error())));
    return r->body.size();
  }

 private:
  httplib::SSLClient http_;
  std::string cookie_, csrf_;
};

int Run(const std::string& dir, int screens, const std::string& hold) {
  TempDir pki_dir;
  TestPki pki(pki_dir.path());
  v1::NationalConfig config;
  config.set_listen("localhost:0");
  config.set_web_listen("localhost:0");
  config.set_data_dir(dir);
  *config.mutable_tls() = pki.For(PeerIdentity::National());
  const auto opened = Clock::now();
  auto server = ValueOrDie(national::NationalServer::Start(config));
  const double start_ms = Ms(Clock::now() - opened);
  server->WaitForDashboardViews();
  const double warm_ms = Ms(Clock::now() - opened);
  auto console = ValueOrDie(national::MinistryConsole::Start(
      national::MinistryConsoleOptions(config), server->InProcessChannel()));
  // A central account with its own password.
  national::CentralAccounts& accounts = server->store().accounts();
  const std::string user = absl::StrCat("bench", getpid());
  // The first administrator, or (a directory benchmarked before) a querier.
  auto made = accounts.CreateFirstAdmin(user);
  if (!made.ok())
    made = accounts.Create({"host", OperatorRole::kAdmin, true}, user,
                           OperatorRole::kQuerier);
  const std::string password = "Bench-2026-pass";
  CheckOk(accounts.ChangePassword(user, ValueOrDie(made).initial_password(),
                                  password));
  Console c(console->port(), pki.ca_cert());
  c.Login(user, password);
  std::cout << absl::StrFormat(
      "directory %s: node started in %.0f ms, dashboard views ready %.0f ms "
      "after the start\n",
      dir, start_ms, warm_ms);

  const std::vector<std::string> provinces = server->store().KnownProvinces();
  // The dashboard's nine filters with their codes, as ListDimensions gives
  // them to the console.
  std::vector<std::pair<std::string, std::vector<std::string>>> filters;
  const v1::ListDimensionsResponse described =
      national::DescribeDimensions(Today());
  for (const v1::DimensionInfo& d : described.dimensions()) {
    static const std::set<std::string> kFilters = {
        "school_category", "gender",    "age_band",
        "ethnicity",       "education", "title",
        "post_type",       "status",    "employment_type"};
    if (!kFilters.count(d.name())) continue;
    std::vector<std::string> codes;
    for (const v1::DimensionValue& v : d.values()) codes.push_back(v.code());
    filters.push_back({d.name(), codes});
  }
  std::mt19937 rng(2026);
  Stats question, first_of_shape, screen;
  std::set<std::string> shapes;
  for (int i = 0; i < screens; ++i) {
    // Where: the nation, a province or a city; with 0–2 filters.
    const int level = i % 3;
    const std::string province = provinces[rng() % provinces.size()];
    std::vector<std::string> where;
    if (level >= 1)
      where.push_back(absl::StrCat("{\"dimension\":\"province\",\"values\":[\"",
                                   province, "\"]}"));
    if (level == 2)
      where.push_back(absl::StrCat("{\"dimension\":\"city\",\"values\":[\"",
                                   province, "01\"]}"));
    std::string shape = absl::StrCat(level);
    for (int f = static_cast<int>(rng() % 3); f > 0; --f) {
      const auto& [dim, values] = filters[rng() % filters.size()];
      if (shape.find(dim) != std::string::npos) continue;
      where.push_back(absl::StrCat("{\"dimension\":\"", dim,
                                   "\",\"values\":[\"",
                                   values[rng() % values.size()], "\"]}"));
      shape += "," + dim;
    }
    // A province-level or city-level screen reads only its province, which
    // builds its own views: a shape is new per province there.
    const bool new_shape =
        shapes.insert(level == 0 ? shape : shape + "@" + province).second;
    const std::string area = level == 0   ? "province"
                             : level == 1 ? "city"
                                          : "county";
    const auto screen_start = Clock::now();
    for (const std::vector<std::string>& group_by :
         std::vector<std::vector<std::string>>{{area},
                                               {"school_category"},
                                               {"age_band", "gender"},
                                               {"title"},
                                               {"education"}}) {
      const std::string body =
          absl::StrCat("{\"group_by\":[\"", absl::StrJoin(group_by, "\",\""),
                       "\"],\"where\":[", absl::StrJoin(where, ","), "]}");
      const auto t = Clock::now();
      c.Call("Aggregate", body);
      (new_shape ? first_of_shape : question)
          .ms.push_back(Ms(Clock::now() - t));
    }
    if (!new_shape) screen.ms.push_back(Ms(Clock::now() - screen_start));
  }
  std::cout << "JSON API, a dashboard question (views built): "
            << question.Line() << "\n";
  std::cout << "JSON API, a new panel shape's questions (first of a filter "
               "combination in the provinces it reads): "
            << first_of_shape.Line() << "\n";
  std::cout << "JSON API, a whole screen (five questions one after another): "
            << screen.Line() << "\n";

  Stats outlook, outlook_city;
  for (int i = 0; i < 40; ++i) {
    auto t = Clock::now();
    c.Call("Outlook", "{}");
    outlook.ms.push_back(Ms(Clock::now() - t));
    const std::string province = provinces[rng() % provinces.size()];
    t = Clock::now();
    c.Call("Outlook", absl::StrCat("{\"by\":\"city\",\"where\":[{\"dimension\":"
                                   "\"province\",\"values\":[\"",
                                   province, "\"]}]}"));
    outlook_city.ms.push_back(Ms(Clock::now() - t));
  }
  std::cout << "JSON API, the outlook by province (all teachers): "
            << outlook.Line() << "\n";
  std::cout << "JSON API, the outlook of a province by city: "
            << outlook_city.Line() << "\n";
  if (!hold.empty()) {
    // For the browser's half (tests/bench/ministry_browser_bench.py): the
    // console's address and an account, then serve until the file is gone.
    {
      std::ofstream out(hold + ".tmp");
      out << "https://localhost:" << console->port() << "/\n"
          << user << "\n"
          << password << "\n"
          << pki.ca_cert() << "\n";
    }
    std::rename((hold + ".tmp").c_str(), hold.c_str());
    while (std::ifstream(hold).good())
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  console->Stop();
  server->Shutdown();
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ntmis_ministry_console_bench DIR [--screens N]\n";
    return 2;
  }
  int screens = 300;
  std::string hold;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--screens") screens = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--hold") hold = argv[i + 1];
  }
  return ntmis::testing::Run(argv[1], screens, hold);
}
