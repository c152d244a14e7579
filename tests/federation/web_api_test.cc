// The console's JSON API through a plain HTTPS client (cpp-httplib) against
// a real node: Connect's error codes and HTTP statuses, the session cookie,
// CSRF, malformed and unknown input, size and type limits, static files
// only from the console's own set, concurrent sessions, and the Excel
// template and export downloads.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/rpc/strict_json.h"
#include "common/tables/xlsx_reader.h"
#include "provincial/core/teacher_fields.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

// One browser: its cookies, sent back as a browser would.
class Browser {
 public:
  Browser(const std::string& ca, int port) : client_("localhost", port) {
    client_.set_ca_cert_path(ca.c_str());
    client_.enable_server_certificate_verification(true);
    client_.set_read_timeout(30, 0);
  }

  httplib::Result Post(const std::string& method, const std::string& json,
                       bool csrf = true,
                       const std::string& type = "application/json") {
    httplib::Headers headers;
    if (!cookies_.empty()) headers.emplace("Cookie", CookieHeader());
    if (csrf) headers.emplace("X-CSRF-Token", csrf_);
    httplib::Result r =
        client_.Post(("/ntmis.v1.ProvincialApi/" + method).c_str(), headers,
                     json, type.c_str());
    Keep(r);
    return r;
  }
  httplib::Result Get(const std::string& path) {
    httplib::Headers headers;
    if (!cookies_.empty()) headers.emplace("Cookie", CookieHeader());
    return client_.Get(path.c_str(), headers);
  }

  void Login(const std::string& user, const std::string& password) {
    httplib::Result r =
        Post("Login",
             absl::StrCat("{\"username\":\"", user, "\",\"password\":\"",
                          password, "\"}"),
             false);
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  std::string session() const {
    return cookies_.count("ntmis_session") ? cookies_.at("ntmis_session") : "";
  }
  void Forget() {
    cookies_.clear();
    csrf_.clear();
  }
  void SetSession(const std::string& token) {
    cookies_["ntmis_session"] = token;
    cookies_["ntmis_csrf"] = csrf_ = "0123456789abcdef";
  }

 private:
  std::string CookieHeader() const {
    std::string out;
    for (const auto& [k, v] : cookies_)
      absl::StrAppend(&out, out.empty() ? "" : "; ", k, "=", v);
    return out;
  }
  void Keep(const httplib::Result& r) {
    if (!r) return;
    auto range = r->headers.equal_range("Set-Cookie");
    for (auto it = range.first; it != range.second; ++it) {
      const std::string& c = it->second;
      const size_t eq = c.find('='), end = c.find(';');
      const std::string name = c.substr(0, eq),
                        value = c.substr(eq + 1, end - eq - 1);
      if (value.empty())
        cookies_.erase(name);
      else
        cookies_[name] = value;
      if (name == "ntmis_csrf") csrf_ = value;
    }
  }
  httplib::SSLClient client_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

// A string field of a JSON answer (values without escapes).
std::string StringField(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return json.substr(start, json.find('"', start) - start);
}

std::string CodeOf(const httplib::Result& r) {
  return StringField(r->body, "code");
}

TEST_CASE(
    "The JSON API answers as Connect does and keeps the console's security "
    "rules",
    "[web]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 30, 1);
  const int port = f.StartConsole("44");
  const std::string ca = f.province("44").tls().ca_cert();

  // No session: unauthenticated, 401, and the console page is served.
  Browser anonymous(ca, port);
  auto none = anonymous.Post("ListTeachers", "{}", false);
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(CodeOf(none) == "unauthenticated");
  auto page = anonymous.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK_THAT(page->get_header_value("Content-Security-Policy"),
             Catch::Contains("script-src 'self'"));
  CHECK(page->body.find("<script>") == std::string::npos);  // no inline script
  CHECK(anonymous.Get("/assets/main.js")->status == 200);
  CHECK(anonymous.Get("/assets/kit/api.js")->status == 200);
  // The pages' labels are the core's (provincial/core/labels.h).
  auto labels = anonymous.Get("/console/labels");
  REQUIRE(labels);
  CHECK(labels->status == 200);
  CHECK_THAT(labels->body, Catch::Contains("\"draft\":\"草稿\""));
  CHECK_THAT(labels->body,
             Catch::Contains("\"USER_ROLE_SYSADMIN\":\"系统管理员\""));
  NTMIS_ASSERT_OK(CheckStrictJson(labels->body));
  for (const char* kind : {"states", "steps", "roles", "levels", "case_kinds"})
    CHECK_THAT(labels->body, Catch::Contains(absl::StrCat("\"", kind, "\":{")));
  for (const char* path :
       {"/../province.db", "/assets/../../etc/passwd", "/etc/passwd",
        "/assets/%2e%2e/%2e%2e/etc/passwd", "/index.html/.."})
    CHECK(anonymous.Get(path)->status == 404);

  // A wrong password: unauthenticated, and no cookie.
  auto wrong = anonymous.Post(
      "Login", "{\"username\":\"admin\",\"password\":\"nope\"}", false);
  CHECK(wrong->status == 401);
  CHECK(anonymous.session().empty());

  // Login: the token travels only in an HttpOnly cookie.
  Browser admin(ca, port);
  auto login =
      admin.Post("Login",
                 absl::StrCat("{\"username\":\"admin\",\"password\":\"",
                              kAdminPassword, "\"}"),
                 false);
  REQUIRE(login->status == 200);
  CHECK(login->body.find(admin.session()) == std::string::npos);
  bool http_only = false;
  auto cookies = login->headers.equal_range("Set-Cookie");
  for (auto it = cookies.first; it != cookies.second; ++it) {
    if (absl::StartsWith(it->second, "ntmis_session="))
      http_only = absl::StrContains(it->second, "HttpOnly") &&
                  absl::StrContains(it->second, "Secure") &&
                  absl::StrContains(it->second, "SameSite=Strict");
  }
  CHECK(http_only);
  auto listed = admin.Post("ListTeachers", "{\"page_size\": 5}");
  REQUIRE(listed->status == 200);
  CHECK_THAT(listed->body, Catch::Contains("\"teacher_number\""));
  CHECK(listed->get_header_value("Cache-Control") == "no-store");

  // Without the CSRF header a change is refused and nothing happens.
  auto forged = admin.Post("CreateUser",
                           "{\"username\":\"mallory\",\"unit_code\":\"44\","
                           "\"role\":\"USER_ROLE_QUERIER\"}",
                           /*csrf=*/false);
  CHECK(forged->status == 403);
  CHECK_THAT(forged->body, Catch::Contains("X-CSRF-Token"));

  // Input the API refuses before the service sees it.
  auto malformed = admin.Post("ListTeachers", "{\"page_size\": ");
  CHECK(malformed->status == 400);
  CHECK(CodeOf(malformed) == "invalid_argument");
  auto unknown_field = admin.Post("ListTeachers", "{\"colour\": \"red\"}");
  CHECK(unknown_field->status == 400);
  CHECK_THAT(unknown_field->body, Catch::Contains("colour"));
  auto text = admin.Post("ListTeachers", "{}", true, "text/plain");
  CHECK(text->status == 415);
  // RFC 8259 only, and the exact media type (common/rpc/strict_json.h): what
  // protobuf's parser alone would take is refused, and nothing happens.
  for (const char* lenient : {"{\"page_size\": 5,}", "{'page_size': 5}",
                              "{\"page_size\": 5, \"page_size\": 6}",
                              "{\"state\":\"a\",\"state\":\"b\"}", "[1,]",
                              "{\"page_size\": 05}", "{\"page_size\": 5} x"}) {
    INFO(lenient);
    auto refused = admin.Post("ListTeachers", lenient);
    CHECK(refused->status == 400);
    CHECK(CodeOf(refused) == "invalid_argument");
  }
  auto duplicate = admin.Post(
      "CreateUser",
      "{\"username\":\"dup1\",\"username\":\"dup2\",\"unit_code\":\"44\","
      "\"role\":\"USER_ROLE_QUERIER\"}");
  CHECK(duplicate->status == 400);
  CHECK_THAT(duplicate->body, Catch::Contains("username"));
  for (const char* type :
       {"application/jsonx", "application/json-patch+json", "text/json",
        "application/json; charset=latin1", "application/json;x=1"}) {
    INFO(type);
    CHECK(admin.Post("ListTeachers", "{}", true, type)->status == 415);
  }
  for (const char* type :
       {"application/json; charset=utf-8", "Application/JSON;charset=UTF-8"}) {
    INFO(type);
    CHECK(admin.Post("ListTeachers", "{}", true, type)->status == 200);
  }
  auto huge = admin.Post("ListTeachers",
                         "{\"state\":\"" + std::string(2 << 20, 'x') + "\"}");
  CHECK(huge->status == 413);
  auto streaming = admin.Post("ImportTeachers", "{}");
  CHECK(streaming->status == 404);
  auto missing = admin.Post("NoSuchMethod", "{}");
  CHECK(missing->status == 404);

  // Each code's HTTP status, from the service's own rules.
  auto not_found =
      admin.Post("GetTeacher", "{\"teacher_number\":\"440000000999\"}");
  CHECK(not_found->status == 404);
  CHECK(CodeOf(not_found) == "not_found");
  auto invalid = admin.Post(
      "CreateTeacher",
      "{\"name\":\"x\",\"gender\":\"1\",\"birth_date\":\"1990-01-01\","
      "\"id_card_number\":\"123\",\"school_code\":\"4401010001\"}");
  CHECK(CodeOf(invalid) ==
        "permission_denied");  // a province administrator enters no teachers
  CHECK(invalid->status == 403);
  CHECK(admin.Post("ListUsers", "{}")->body.find("dup1") == std::string::npos);
  auto created = admin.Post("CreateUser",
                            "{\"username\":\"q44\",\"unit_code\":\"44\","
                            "\"role\":\"USER_ROLE_QUERIER\"}");
  REQUIRE(created->status == 200);
  auto again = admin.Post("CreateUser",
                          "{\"username\":\"q44\",\"unit_code\":\"44\",\"role\":"
                          "\"USER_ROLE_QUERIER\"}");
  CHECK(again->status == 409);
  CHECK(CodeOf(again) == "already_exists");

  // A generated password must be changed first (failed_precondition, 400).
  Browser querier(ca, port);
  querier.Login("q44", StringField(created->body, "initial_password"));
  auto before_change = querier.Post("ListTeachers", "{}");
  CHECK(before_change->status == 400);
  CHECK(CodeOf(before_change) == "failed_precondition");
  auto whoami = querier.Post("WhoAmI", "{}");
  REQUIRE(whoami->status == 200);
  CHECK_THAT(whoami->body, Catch::Contains("\"must_change_password\":true"));

  // Logout ends the session at the node: the old token no longer works.
  const std::string token = admin.session();
  auto out = admin.Post("Logout", "{}");
  CHECK(out->status == 200);
  CHECK(admin.session().empty());
  Browser replay(ca, port);
  replay.SetSession(token);
  auto after = replay.Post("ListTeachers", "{}");
  CHECK(after->status == 401);
}

// The rows of a downloaded workbook's first sheet.
std::vector<SheetRow> SheetRows(const std::string& bytes) {
  auto reader = ValueOrDie(XlsxReader::Open(bytes));
  std::vector<SheetRow> rows;
  SheetRow row;
  while (ValueOrDie(reader->Next(&row))) rows.push_back(row);
  return rows;
}

TEST_CASE(
    "Templates and exports download as Excel workbooks with the caller's "
    "rights",
    "[web]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 30, 1);
  const int port = f.StartConsole("44");
  const std::string ca = f.province("44").tls().ca_cert();

  Browser anonymous(ca, port);
  CHECK(anonymous.Get("/console/template?name=teachers")->status == 401);
  CHECK(anonymous.Get("/console/export?format=xlsx")->status == 401);

  Browser admin(ca, port);
  admin.Login("admin", kAdminPassword);
  auto unknown = admin.Get("/console/template?name=nosuch");
  CHECK(unknown->status == 400);
  CHECK_THAT(unknown->body, Catch::Contains("没有名为"));

  // Many at once: each download is whole and right.
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Browser b(ca, port);
      b.Login("admin", kAdminPassword);
      if (t % 2 == 0) {
        auto r = b.Get("/console/template?name=teachers");
        if (!r || r->status != 200) return;
        std::vector<SheetRow> rows = SheetRows(r->body);
        if (r->get_header_value("Content-Type") ==
                "application/"
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet" &&
            absl::StrContains(r->get_header_value("Content-Disposition"),
                              "filename*=UTF-8''") &&
            rows.size() == 1 &&
            rows[0].cells.size() == provincial::TeacherTemplate().size() &&
            rows[0].cells[0] == "姓名")
          ++good;
      } else {
        auto r = b.Get("/console/export?format=xlsx");
        if (!r || r->status != 200) return;
        std::vector<SheetRow> rows = SheetRows(r->body);
        if (rows.size() == 31 && rows[0].cells[0] == "教师编号" &&
            rows[1].cells[0].size() == 12)
          ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 8);
}

TEST_CASE("Many console sessions at once get their own answers and no error",
          "[web]") {
  Federation f;
  f.AddProvince("44");
  f.LoadSynthetic("44", 200, 1);
  const int port = f.StartConsole("44");
  const std::string ca = f.province("44").tls().ca_cert();
  std::atomic<int> errors{0}, calls{0};
  std::mutex failed_mu;
  std::set<std::string> failed;
  std::vector<std::thread> users;
  for (int u = 0; u < 16; ++u) {
    users.emplace_back([&] {
      Browser b(ca, port);
      httplib::Result login =
          b.Post("Login",
                 absl::StrCat("{\"username\":\"admin\",\"password\":\"",
                              kAdminPassword, "\"}"),
                 false);
      if (!login || login->status != 200) {
        ++errors;
        return;
      }
      // What the console's pages ask for: lists by page number, sorted and
      // searched, progress and sync health, the accounts tree, downloads.
      const std::vector<std::pair<std::string, std::string>> asks = {
          {"ListTeachers", "{\"page_size\":20}"},
          {"Progress", "{}"},
          {"ListTeachers",
           "{\"page_size\":50,\"page\":2,\"order\":\"ORDER_NAME\","
           "\"descending\":true}"},
          {"ListTeachers", "{\"page\":1,\"search\":\"王\"}"},
          {"GetSyncHealth", "{}"},
          {"ListChildAccounts", "{}"},
          {"GET", "/console/export?format=csv"},
          {"GET", "/console/progress-export?format=xlsx"},
          {"ListTeachers",
           "{\"page\":3,\"order\":\"ORDER_UPDATED\",\"page_size\":10}"},
          {"ListUnits", "{}"},
      };
      for (int i = 0; i < 20; ++i) {
        const auto& [method, body] = asks[i % asks.size()];
        auto r = method == "GET" ? b.Get(body) : b.Post(method, body);
        ++calls;
        if (!r || r->status != 200) {
          ++errors;
          std::lock_guard<std::mutex> lock(failed_mu);
          failed.insert(absl::StrCat(method, " ", body, ": ", r ? r->status : 0,
                                     " ", r ? r->body.substr(0, 200) : ""));
        }
      }
      auto out = b.Post("Logout", "{}");
      if (!out || out->status != 200) ++errors;
    });
  }
  for (auto& t : users) t.join();
  INFO(absl::StrJoin(failed, "\n"));
  CHECK(failed.empty());
  CHECK(errors == 0);
  CHECK(calls == 16 * 20);
  // Each call was audited by the one code path, as a gRPC call would be.
  f.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.province("44").database()));
  CHECK(ValueOrDie(db.QueryInt(
            "SELECT COUNT(*) FROM audit WHERE action = 'user.logout'")) == 16);
}

}  // namespace
}  // namespace ntmis::testing
