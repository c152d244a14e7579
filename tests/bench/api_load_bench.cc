// A provincial node under many users at once, through the real API over TLS
// (ntmis-provincial's own ProvincialNode on 127.0.0.1): a province of N
// teachers, school information managers in pairs, each session on its own
// connection doing a realistic mix for S seconds —
//   80% reads:  a page of its school's teachers, a teacher's review form,
//               its review queue;
//   20% writes: the next step of entering a record (create, complete,
//               contact entry, submit) or approving a record its partner
//               submitted (the submitter may not approve its own).
// For each number of sessions: requests per second, read and write latency
// (p50 / p99 / max) and errors (which must be 0); 1 session is the baseline
// of the run.
//
// With --transport grpc,json every level runs twice: over gRPC (the CLI's
// transport) and over the web console's JSON API (HTTPS, session cookie,
// CSRF header, proto JSON), each with its own logged-in sessions, so the
// two are compared in the same run.
//
// A level "S" runs S sessions back to back (each sends its next request the
// moment the last one is answered: the node's saturation, where latency is
// S / throughput by Little's law); "S@T" gives each session a think time
// between requests, drawn from an exponential distribution with a mean of T
// ms, as people at a console have (500@500: 500 users each sending about two
// requests a second).
//
//   ntmis_api_load_bench [--teachers N] [--seconds S]
//                        [--sessions 1,2,8,500,500@500] [--transport grpc,json]
#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/pki/tls.h"
#include "common/rpc/proto_json.h"
#include "common/teacher/id_card.h"
#include "provincial/client/api_client.h"
#include "provincial/server/node.h"
#include "provincial/web/web_server.h"
#include "tests/support/import_support.h"

namespace ntmis::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::ProvincialApi::StubInterface;
constexpr char kPassword[] = "Bench-Passw0rd";

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since)
      .count();
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles Of(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  return {at(0.5), at(0.99), ms.back()};
}

// A browser's session with the console's JSON API: its HTTPS connection,
// its cookies and CSRF token.
struct WebSession {
  std::unique_ptr<httplib::SSLClient> http;
  std::string cookie;  // "ntmis_session=…; ntmis_csrf=…"
  std::string csrf;
};

// One logged-in school manager on a connection of its own, over gRPC or
// (with `web`) over the JSON API.
struct Session {
  std::unique_ptr<provincial::ApiClient> client;
  std::unique_ptr<WebSession> web;
  std::string school;
  std::vector<std::string> teachers;  // of its school, for reads
  // The record being entered, and the next step for it (0: create).
  std::string entering;
  int step = 0;
  // Records this session submitted, for its partner to approve.
  absl::Mutex mu;
  std::vector<std::string> submitted ABSL_GUARDED_BY(mu);
};

// One call of ProvincialApi over the session's transport.
template <typename Request, typename Response>
absl::StatusOr<Response> Invoke(
    Session& me,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const char* name, const Request& request) {
  if (me.web == nullptr) return me.client->Call(method, request);
  const std::string body =
      ProtoJson(request);  // as a page sends it: every field
  httplib::Headers headers{{"Cookie", me.web->cookie},
                           {"X-CSRF-Token", me.web->csrf}};
  const std::string path = absl::StrCat("/ntmis.v1.ProvincialApi/", name);
  httplib::Result r =
      me.web->http->Post(path.c_str(), headers, body, "application/json");
  if (!r && r.error() ==
                httplib::Error::Write)  // the server closed an idle connection:
                                        // reconnect, as browsers do
    r = me.web->http->Post(path.c_str(), headers, body, "application/json");
  if (!r)
    return absl::UnavailableError(
        absl::StrCat(name, ": ", httplib::to_string(r.error())));
  if (r->status != 200)
    return absl::UnknownError(
        absl::StrCat(name, ": HTTP ", r->status, " ", r->body));
  Response response;
  if (!google::protobuf::util::JsonStringToMessage(r->body, &response).ok())
    return absl::DataLossError(absl::StrCat(name, ": unreadable answer"));
  return response;
}

// A JSON session for user `name`: HTTPS to the console, logged in.
absl::StatusOr<std::unique_ptr<WebSession>> WebLogin(int port,
                                                     const std::string& ca,
                                                     const std::string& name) {
  auto web = std::make_unique<WebSession>();
  web->http = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  web->http->set_ca_cert_path(ca.c_str());
  web->http->enable_server_certificate_verification(true);
  web->http->set_keep_alive(true);
  web->http->set_tcp_nodelay(true);
  web->http->set_read_timeout(60, 0);
  httplib::Result r =
      web->http->Post("/ntmis.v1.ProvincialApi/Login",
                      absl::StrCat("{\"username\":\"", name,
                                   "\",\"password\":\"", kPassword, "\"}"),
                      "application/json");
  if (!r || r->status != 200)
    return absl::UnauthenticatedError("console login failed for " + name);
  std::vector<std::string> cookies;
  auto range = r->headers.equal_range("Set-Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    std::string c = it->second.substr(0, it->second.find(';'));
    if (absl::StartsWith(c, "ntmis_csrf=")) web->csrf = c.substr(11);
    cookies.push_back(std::move(c));
  }
  web->cookie = absl::StrJoin(cookies, "; ");
  return web;
}

std::atomic<uint64_t> next_person{0};

// A new valid ID-card number for a man born in the 1970s.
std::pair<std::string, std::string> NewPerson() {
  const uint64_t k = next_person++;
  const int day = static_cast<int>(k / 450);
  const int year = 1970 + day / 336, month = 1 + (day / 28) % 12,
            dom = 1 + day % 28;
  std::string birth = absl::StrFormat("%04d%02d%02d", year, month, dom);
  std::string first17 =
      absl::StrFormat("449999%s%03d", birth, 101 + 2 * (k % 450));
  return {first17 + IdCardCheckChar(first17),
          absl::StrFormat("%04d-%02d-%02d", year, month, dom)};
}

v1::EditTeacherRequest Complete(const std::string& number) {
  v1::EditTeacherRequest request;
  request.set_teacher_number(number);
  for (auto [k, v] : std::vector<std::pair<const char*, const char*>>{
           {"ethnicity", "01"},
           {"nationality", "CHN"},
           {"political_status", "13"},
           {"hire_date", "2000-09-01"},
           {"employment_type", "1"},
           {"status", "11"},
           {"post_type", "1"},
           {"education", "21"},
           {"degree", "3"},
           {"title", "3"},
           {"qualification", "2"}}) {
    v1::FieldValue* f = request.add_fields();
    f->set_field(k);
    f->set_value(v);
  }
  return request;
}

// One write: approve a partner's submission if one waits, else the next
// step of the record being entered.
absl::Status Write(Session& me, Session* partner) {
  std::string to_approve;
  if (partner != nullptr) {
    absl::MutexLock lock(&partner->mu);
    if (!partner->submitted.empty()) {
      to_approve = partner->submitted.back();
      partner->submitted.pop_back();
    }
  }
  if (!to_approve.empty()) {
    v1::ReviewRequest review;
    review.set_teacher_number(to_approve);
    review.set_decision(v1::ReviewRequest::APPROVE);
    return Invoke(me, &Stub::ReviewTeacher, "ReviewTeacher", review).status();
  }
  switch (me.step) {
    case 0: {
      auto [id, birth] = NewPerson();
      v1::CreateTeacherRequest create;
      create.set_name("压测教师");
      create.set_gender("1");
      create.set_birth_date(birth);
      create.set_id_card_number(id);
      create.set_school_code(me.school);
      auto created = Invoke(me, &Stub::CreateTeacher, "CreateTeacher", create);
      if (!created.ok()) return created.status();
      me.entering = created->teacher_number();
      me.step = 1;
      return absl::OkStatus();
    }
    case 1:
      me.step = 2;
      return Invoke(me, &Stub::EditTeacher, "EditTeacher",
                    Complete(me.entering))
          .status();
    case 2: {
      v1::PutEntryRequest contact;
      contact.set_teacher_number(me.entering);
      contact.set_category("contact");
      v1::FieldValue* mobile = contact.add_fields();
      mobile->set_field("mobile");
      mobile->set_value("13800138000");
      me.step = 3;
      return Invoke(me, &Stub::PutEntry, "PutEntry", contact).status();
    }
    default: {
      v1::TeacherRequest submit;
      submit.set_teacher_number(me.entering);
      me.step = 0;
      absl::Status s =
          Invoke(me, &Stub::SubmitTeacher, "SubmitTeacher", submit).status();
      if (s.ok()) {
        absl::MutexLock lock(&me.mu);
        me.submitted.push_back(me.entering);
      }
      return s;
    }
  }
}

absl::Status Read(Session& me, std::mt19937_64& rng) {
  switch (rng() % 3) {
    case 0: {
      v1::ListTeachersRequest list;
      list.set_unit_code(me.school);
      list.set_page_size(50);
      return Invoke(me, &Stub::ListTeachers, "ListTeachers", list).status();
    }
    case 1: {
      v1::TeacherRequest form;
      form.set_teacher_number(me.teachers[rng() % me.teachers.size()]);
      form.set_without_catalog(
          true);  // as the console asks (it reads the catalog once)
      return Invoke(me, &Stub::GetReviewForm, "GetReviewForm", form).status();
    }
    default:
      return Invoke(me, &Stub::ReviewQueue, "ReviewQueue",
                    v1::ReviewQueueRequest())
          .status();
  }
}

struct LevelResult {
  int sessions = 0;
  double seconds = 0;
  uint64_t requests = 0;
  Percentiles reads, writes;
  uint64_t errors = 0;
  std::string first_error;
};

struct Level {
  int sessions = 1;
  int think_ms = 0;  // mean think time between a session's requests
};

LevelResult RunLevel(std::vector<std::unique_ptr<Session>>& sessions,
                     Level level, int seconds) {
  const int count = level.sessions;
  absl::Mutex mu;
  std::vector<double> reads, writes;
  LevelResult result;
  result.sessions = count;
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      Session& me = *sessions[i];
      Session* partner = (i ^ 1) < count ? sessions[i ^ 1].get() : nullptr;
      std::mt19937_64 rng(i + 1);
      std::exponential_distribution<double> think(
          level.think_ms > 0 ? 1.0 / level.think_ms : 1.0);
      std::vector<double> my_reads, my_writes;
      uint64_t errors = 0;
      std::string first_error;
      // People do not all click at the same moment: a paced session starts
      // after a think time of its own, as if it had been working already
      // (the exponential distribution has no memory), instead of all S
      // sending their first request together at the start.
      if (level.think_ms > 0) {
        std::this_thread::sleep_until(
            std::min(start + std::chrono::microseconds(
                                 static_cast<int64_t>(think(rng) * 1000)),
                     end));
      }
      while (Clock::now() < end) {
        const bool write = rng() % 5 == 0;
        auto t = Clock::now();
        absl::Status s = write ? Write(me, partner) : Read(me, rng);
        (write ? my_writes : my_reads).push_back(Ms(t));
        if (!s.ok()) {
          if (errors++ == 0) first_error = s.ToString();
        }
        if (level.think_ms > 0) {
          const auto wake =
              Clock::now() + std::chrono::microseconds(
                                 static_cast<int64_t>(think(rng) * 1000));
          std::this_thread::sleep_until(std::min(wake, end));
        }
      }
      absl::MutexLock lock(&mu);
      reads.insert(reads.end(), my_reads.begin(), my_reads.end());
      writes.insert(writes.end(), my_writes.begin(), my_writes.end());
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.requests = reads.size() + writes.size();
  result.reads = Of(reads);
  result.writes = Of(writes);
  return result;
}

int Main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(
      absl::OnDeadlockCycle::kIgnore);  // as the binaries do
  uint64_t n = 1000000;
  int seconds = 60;
  std::vector<Level> levels = {{1, 0}, {2, 0}, {8, 0}, {500, 0}, {500, 500}};
  std::vector<std::string> transports = {"grpc"};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--teachers") n = std::stoull(argv[i + 1]);
    if (flag == "--seconds") seconds = std::stoi(argv[i + 1]);
    if (flag == "--transport") transports = absl::StrSplit(argv[i + 1], ',');
    if (flag == "--sessions") {
      levels.clear();
      for (absl::string_view v : absl::StrSplit(argv[i + 1], ',')) {
        std::pair<std::string, std::string> st =
            absl::StrSplit(v, absl::MaxSplits('@', 1));
        levels.push_back({std::stoi(st.first),
                          st.second.empty() ? 0 : std::stoi(st.second)});
      }
    }
  }
  int most = 0;
  for (const Level& level : levels) most = std::max(most, level.sessions);
  TempDir dir;
  TestPki pki(dir.File("ca"));
  const std::string db = dir.File("province.db");
  auto t0 = Clock::now();
  std::vector<std::string> schools;
  {
    provincial::Store store = ProvinceWithUnits(db, 44, n, 1);
    v1::ImportReport imported =
        ImportTeachers(store, SyntheticTeachers(44, n, 1), false);
    auto q = ValueOrDie(
        store.db().Prepare("SELECT school_code FROM teachers GROUP BY "
                           "school_code ORDER BY COUNT(*) DESC LIMIT ?"));
    q.BindAll((most + 1) / 2);
    while (ValueOrDie(q.Step())) schools.push_back(q.ColumnText(0));
    provincial::Accounts accounts(store);
    for (int i = 0; i < most; ++i) {
      ValueOrDie(accounts.Create(absl::StrCat("m", i),
                                 schools[(i / 2) % schools.size()],
                                 provincial::Role::kManager, kPassword, false));
    }
    if (!store.db().Exec("ANALYZE").ok()) return 1;
    std::cout << absl::StrFormat(
        "province 44: %d teachers, %d accounts, in %.0f s\n",
        static_cast<int>(imported.rows_applied()), most, Ms(t0) / 1000);
  }
  v1::ProvincialConfig config;
  config.set_province("44");
  config.set_listen("127.0.0.1:0");
  config.set_database(db);
  *config.mutable_tls() = pki.For(PeerIdentity::Province("44"));
  config.set_sync_disabled(true);
  const provincial::IdKeys keys = TestKeys();
  for (auto [path, key] : {std::pair{dir.File("hash.key"), keys.hash_key},
                           std::pair{dir.File("pii.key"), keys.seal_key}}) {
    std::ofstream(path) << crypto::HexEncode(key) << "\n";
  }
  config.set_id_hash_key(dir.File("hash.key"));
  config.set_pii_key(dir.File("pii.key"));
  config.set_web_listen("127.0.0.1:0");
  auto node = ValueOrDie(provincial::ProvincialNode::Start(config));
  const std::string address = absl::StrCat("127.0.0.1:", node->port());
  auto web = ValueOrDie(provincial::WebServer::Start(
      provincial::WebOptionsFrom(config), node->InProcessChannel()));

  // Every session on a connection of its own, as browsers and CLIs are.
  t0 = Clock::now();
  auto creds = ValueOrDie(MakeChannelCredentials([&] {
    v1::TlsFiles tls;
    tls.set_ca_cert(pki.ca_cert());
    return tls;
  }()));
  std::map<std::string, std::vector<std::unique_ptr<Session>>> by_transport;
  for (const std::string& transport : transports) {
    std::vector<std::unique_ptr<Session>>& sessions = by_transport[transport];
    for (int i = 0; i < most; ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetMaxReceiveMessageSize(kMaxMessageBytes);
      auto s = std::make_unique<Session>();
      s->client =
          std::make_unique<provincial::ApiClient>(v1::ProvincialApi::NewStub(
              grpc::CreateCustomChannel(address, creds, args)));
      s->school = schools[(i / 2) % schools.size()];
      absl::Status login = s->client->Login(absl::StrCat("m", i), kPassword);
      if (login.ok() && transport == "json") {
        absl::StatusOr<std::unique_ptr<WebSession>> w =
            WebLogin(web->port(), pki.ca_cert(), absl::StrCat("m", i));
        if (w.ok())
          s->web = std::move(*w);
        else
          login = w.status();
      }
      if (!login.ok()) {
        std::cerr << "login m" << i << ": " << login << "\n";
        return 1;
      }
      v1::ListTeachersRequest list;
      list.set_unit_code(s->school);
      list.set_page_size(100);
      const v1::ListTeachersResponse page =
          ValueOrDie(Invoke(*s, &Stub::ListTeachers, "ListTeachers", list));
      for (const auto& t : page.teachers())
        s->teachers.push_back(t.teacher_number());
      sessions.push_back(std::move(s));
    }
  }
  std::cout << absl::StrFormat(
      "%d sessions logged in, in %.1f s (password hashes on %d slot(s))\n",
      most, Ms(t0) / 1000, ConcurrencyLimit::HalfTheCores());

  std::cout << absl::StrFormat(
      "%-9s %8s %8s %9s %9s %8s | %-26s | %-26s | %s\n", "transport",
      "sessions", "think ms", "requests", "req/s", "x 1",
      "reads p50 / p99 / max ms", "writes p50 / p99 / max ms", "errors");
  int failed = 0;
  // Levels alternate between the transports, so both see the same machine.
  std::map<std::string, double> baseline;
  std::map<std::string, double> rate_of;
  for (const Level& level : levels) {
    for (const std::string& transport : transports) {
      LevelResult r = RunLevel(by_transport[transport], level, seconds);
      const double rate = r.requests / r.seconds;
      if (baseline[transport] == 0) baseline[transport] = rate;
      rate_of[transport] = rate;
      std::cout << absl::StrFormat(
          "%-9s %8d %8d %9d %9.0f %7.2fx | %7.2f / %7.2f / %7.1f | %7.2f / "
          "%7.2f / %7.1f | %d%s\n",
          transport, r.sessions, level.think_ms, static_cast<int>(r.requests),
          rate, rate / baseline[transport], r.reads.p50, r.reads.p99,
          r.reads.max, r.writes.p50, r.writes.p99, r.writes.max,
          static_cast<int>(r.errors),
          r.errors ? absl::StrCat(" (first: ", r.first_error, ")") : "");
      failed += r.errors != 0;
    }
    if (rate_of.count("json") && rate_of.count("grpc"))
      std::cout << absl::StrFormat(
          "%-9s %8d %8d   json / grpc throughput %.2f\n", "", level.sessions,
          level.think_ms, rate_of["json"] / rate_of["grpc"]);
  }
  web->Stop();
  node->Shutdown();
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) { return ntmis::testing::Main(argc, argv); }
