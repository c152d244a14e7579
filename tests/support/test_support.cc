#include "tests/support/test_support.h"

#include <iconv.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/audit/audit_log.h"
#include "common/base/config.h"
#include "common/crypto/crypto.h"
#include "common/pki/pki.h"
#include "common/pki/tls.h"
#include "common/tables/csv.h"
#include "common/teacher/teacher_number.h"
#include "provincial/core/accounts.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/units.h"
#include "provincial/import/teacher_import.h"
#include "provincial/sync/hello.h"
#include "provincial/tools/generator.h"

namespace ntmis::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ntmis-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestPki::TestPki(const std::string& dir, const std::string& org)
    : ca_dir_(dir + "/ca") {
  absl::Status s = pki::InitCa(ca_dir_, org);
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

v1::TlsFiles TestPki::For(const PeerIdentity& identity) {
  auto it = issued_.find(identity.Uri());
  if (it != issued_.end()) return it->second;
  std::string prefix = absl::StrCat(ca_dir_, "/issued-", issued_.size());
  pki::IssueRequest request{identity, "", {"localhost"}, {"127.0.0.1", "::1"}};
  absl::Status s = pki::Issue(ca_dir_, request, prefix);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  v1::TlsFiles tls;
  tls.set_ca_cert(ca_cert());
  tls.set_cert(prefix + ".crt");
  tls.set_key(prefix + ".key");
  tls.set_crl_file(ca_dir_ + "/revoked.crl");
  issued_[identity.Uri()] = tls;
  return tls;
}

std::string ToGb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string in = utf8, out(utf8.size() * 2 + 8, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

v1::TeacherRecord SampleRecord(int province, uint64_t n, int variant) {
  v1::TeacherRecord r;
  r.set_teacher_number(MintTeacherNumber(province, n));
  r.set_province(static_cast<v1::Province>(province));
  r.set_name("测试教师");
  r.set_gender(variant % 2 == 0 ? v1::GENDER_FEMALE : v1::GENDER_MALE);
  r.set_birth_date("1985-06-15");
  r.set_id_type(v1::ID_TYPE_RESIDENT_ID_CARD);
  r.set_id_hash(crypto::Sha256(absl::StrCat(province, "-", n)));
  r.set_ethnicity(variant % 3 == 0 ? v1::ETHNICITY_HAN : v1::ETHNICITY_HUI);
  r.set_nationality("CHN");
  r.set_political_status(v1::POLITICAL_STATUS_MASSES);
  r.set_hire_date("2008-09-01");
  r.set_employment_type(v1::EMPLOYMENT_TYPE_ESTABLISHED);
  r.set_status(v1::IN_SERVICE_STATUS_IN_POST);
  std::string city = absl::StrFormat("%02d%02d", province, 1 + variant % 2);
  r.set_city_code(city);
  r.set_county_code(absl::StrFormat("%s%02d", city, 1 + variant % 3));
  r.set_school_code(r.county_code() + "0001");
  r.set_school_category(variant % 4 == 0
                            ? v1::SCHOOL_CATEGORY_KINDERGARTEN
                            : v1::SCHOOL_CATEGORY_PRIMARY_SECONDARY);
  r.set_post_type(v1::POST_TYPE_FULL_TIME_TEACHER);
  r.set_education(v1::EDUCATION_BACHELOR);
  r.set_degree(v1::DEGREE_BACHELOR);
  r.set_title(static_cast<v1::TitleLevel>(1 + variant % 5));
  r.set_qualification(v1::QUALIFICATION_TYPE_PRIMARY);
  return r;
}

Federation::Federation() : Federation(std::string()) {}

Federation::Federation(std::string national_binary)
    : pki_(dir_.path()), national_binary_(std::move(national_binary)) {
  national_config_.set_listen("localhost:0");
  national_config_.set_data_dir(dir_.File("national"));
  national_config_.set_id_hash_key(pki_.id_hash_key());
  // Tests of the idle limit want it short; benchmarks (an external node)
  // keep the default, as 32 streams on 2 cores may wait longer than that.
  if (national_binary_.empty()) national_config_.set_push_idle_seconds(2);
  *national_config_.mutable_tls() = pki_.For(PeerIdentity::National());
  StartNational();
}

Federation::~Federation() {
  for (auto& [code, node] : nodes_)
    node->Shutdown(std::chrono::milliseconds(0));
  if (national_) national_->Shutdown(std::chrono::milliseconds(0));
  if (national_pid_ != 0) StopNational();
}

void Federation::StartNational() {
  // Reuse the port after a restart so provinces' configs stay valid.
  if (national_port_ != 0)
    national_config_.set_listen(absl::StrCat("localhost:", national_port_));
  if (national_binary_.empty()) {
    national_ = ValueOrDie(national::NationalServer::Start(national_config_));
    national_port_ = national_->port();
    return;
  }
  const std::string config = dir_.File("national.textproto");
  const std::string address = dir_.File("national.address");
  std::filesystem::remove(address);
  absl::Status saved = SaveTextProto(config, national_config_);
  if (!saved.ok()) throw std::runtime_error(saved.ToString());
  national_pid_ = fork();
  if (national_pid_ == 0) {
    execl(national_binary_.c_str(), national_binary_.c_str(), "serve",
          "--config", config.c_str(), "--address-file", address.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 400 && !std::filesystem::exists(address); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::string text = ValueOrDie(ReadFile(address));
  national_port_ = std::stoi(text.substr(text.rfind(':') + 1));
}

void Federation::StopNational() {
  if (national_pid_ != 0) {
    kill(national_pid_, SIGTERM);
    waitpid(national_pid_, nullptr, 0);
    national_pid_ = 0;
    return;
  }
  national_->Shutdown(std::chrono::milliseconds(0));
  national_.reset();
}

std::string Federation::national_address() const {
  return absl::StrCat("localhost:", national_port_);
}

const v1::ProvincialConfig& Federation::AddProvince(
    const std::string& code, uint32_t sync_interval_seconds) {
  std::string dir = dir_.File("province-" + code);
  std::filesystem::create_directories(dir);
  v1::ProvincialConfig config;
  config.set_province(code);
  config.set_listen("localhost:0");
  config.set_database(dir + "/province.db");
  *config.mutable_tls() = pki_.For(PeerIdentity::Province(code));
  // The province's own copy of the revocation list, as handed out with its
  // certificate; its syncs keep it current.
  config.mutable_tls()->set_crl_file(dir + "/federation.crl");
  std::filesystem::copy_file(pki_.ca_dir() + "/revoked.crl",
                             dir + "/federation.crl",
                             std::filesystem::copy_options::overwrite_existing);
  config.set_national_address(national_address());
  config.set_id_hash_key(pki_.id_hash_key());
  config.set_pii_key(dir + "/pii.key");
  config.set_rpc_deadline_seconds(30);
  if (sync_interval_seconds > 0) {
    config.set_sync_interval_seconds(sync_interval_seconds);
  } else {
    config.set_sync_disabled(true);
  }
  if (auto s = crypto::CreateKeyFile(config.pii_key()); !s.ok())
    throw std::runtime_error(s.ToString());
  {
    provincial::Store store =
        ValueOrDie(provincial::Store::Open(config.database(), true));
    if (auto s = store.SetProvince(code); !s.ok())
      throw std::runtime_error(s.ToString());
    if (auto s = provincial::EnsureProvinceUnit(store, code); !s.ok())
      throw std::runtime_error(s.ToString());
    provincial::Accounts accounts(store);
    ValueOrDie(accounts.Create("admin", code, provincial::Role::kSysAdmin,
                               kAdminPassword, false));
  }
  nodes_[code] = ValueOrDie(provincial::ProvincialNode::Start(config));
  provinces_[code] = config;
  return provinces_[code];
}

int Federation::StartConsole(const std::string& code) {
  v1::ProvincialConfig config = provinces_.at(code);
  config.set_web_listen("localhost:0");
  consoles_[code] = ValueOrDie(provincial::WebServer::Start(
      provincial::WebOptionsFrom(config), nodes_.at(code)->InProcessChannel()));
  return consoles_[code]->port();
}

void Federation::FlushAudits() {
  auto check = [](const absl::Status& s) {
    if (!s.ok()) throw std::runtime_error("audit flush: " + s.ToString());
  };
  if (national_ != nullptr) check(national_->store().audit().Flush());
  for (auto& [code, node] : nodes_) check(node->FlushAudit());
}

std::string Federation::province_address(const std::string& code) const {
  return absl::StrCat("localhost:", nodes_.at(code)->port());
}

std::unique_ptr<provincial::ApiClient> Federation::Admin(
    const std::string& code) {
  auto client = ValueOrDie(
      provincial::ApiClient::Connect(province_address(code), pki_.ca_cert()));
  absl::Status s = client->Login("admin", kAdminPassword);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return client;
}

std::string Federation::LoadSynthetic(const std::string& code, uint64_t count,
                                      uint64_t seed) {
  provincial::SyntheticProvince gen(std::stoi(code), count, seed);
  std::string csv;
  gen.WriteTeachersCsv([&csv](const std::string& chunk) { csv += chunk; });
  auto admin = Admin(code);
  auto units = ValueOrDie(admin->ImportData(provincial::ImportTarget::kUnits,
                                            gen.UnitsCsv(), false));
  if (units.problems_total() != 0)
    throw std::runtime_error(units.problems(0).rule());
  auto teachers = ValueOrDie(
      admin->ImportData(provincial::ImportTarget::kTeachers, csv, false));
  if (teachers.rows_applied() != count)
    throw std::runtime_error(
        absl::StrCat("applied ", teachers.rows_applied(), " of ", count));
  return csv;
}

absl::StatusOr<provincial::SyncReport> Federation::Sync(
    const std::string& code, provincial::SyncOptions options) {
  return provincial::SyncOnce(provinces_.at(code), std::move(options));
}

void Federation::StopProvince(const std::string& code) {
  consoles_.erase(code);
  auto it = nodes_.find(code);
  if (it == nodes_.end()) return;
  it->second->Shutdown(std::chrono::milliseconds(0));
  nodes_.erase(it);
}

void TamperAudit(const std::string& db_path, const std::string& sql) {
  sql::Database db = ValueOrDie(sql::Database::Open(db_path, {}));
  if (auto s = db.Exec("DROP TRIGGER IF EXISTS audit_no_update; "
                       "DROP TRIGGER IF EXISTS audit_no_delete;");
      !s.ok())
    throw std::runtime_error(s.ToString());
  if (auto s = db.Exec(sql); !s.ok()) throw std::runtime_error(s.ToString());
}

AuditHead RecomputeAuditChain(const std::string& db_path) {
  sql::Database db = ValueOrDie(sql::Database::Open(db_path, {}));
  sql::Statement rows =
      ValueOrDie(db.Prepare("SELECT id, at_unix, actor, action, target, "
                            "result, detail FROM audit ORDER BY id"));
  AuditHead head;
  std::vector<std::pair<int64_t, std::string>> hashes;
  while (ValueOrDie(rows.Step())) {
    AuditEntry e{rows.ColumnText(2), rows.ColumnText(3), rows.ColumnText(4),
                 rows.ColumnText(5), rows.ColumnText(6)};
    head.hash =
        AuditChainHash(head.hash, rows.ColumnInt(0), rows.ColumnInt(1), e);
    hashes.emplace_back(rows.ColumnInt(0), head.hash);
  }
  sql::Statement update =
      ValueOrDie(db.Prepare("UPDATE audit SET hash = ? WHERE id = ?"));
  for (const auto& [id, hash] : hashes) {
    update.Reset();
    update.BindBlob(1, hash);
    update.Bind(2, id);
    if (auto s = update.Run(); !s.ok()) throw std::runtime_error(s.ToString());
  }
  head.count = hashes.size();
  return head;
}

void Federation::StartProvince(const std::string& code) {
  nodes_[code] =
      ValueOrDie(provincial::ProvincialNode::Start(provinces_.at(code)));
}

void ForEachSyntheticRecord(int province, uint64_t count, uint64_t seed,
                            const std::function<void(v1::TeacherRecord&)>& fn) {
  provincial::SyntheticProvince gen(province, count, seed);
  absl::flat_hash_map<std::string, provincial::SchoolPlace> schools;
  absl::flat_hash_map<std::string, std::string> parent;
  for (const auto& u : gen.units()) parent[u.code] = u.parent_code;
  for (const auto& u : gen.units()) {
    if (u.level == provincial::UnitLevel::kSchool)
      schools[u.code] = {parent[u.parent_code], u.parent_code,
                         u.school_category};
  }
  crypto::Hmac hasher(std::string(32, 'k'));
  provincial::ColumnIndex index;
  provincial::ParsedTeacher parsed;
  CsvReader reader;
  CsvRecord row;
  uint64_t minted = 0;
  auto drain = [&] {
    while (reader.Next(&row) == CsvReader::Result::kRecord) {
      if (row.row == 1) {  // the header, in template order
        for (size_t i = 0; i < row.fields.size(); ++i) index.push_back(i);
        continue;
      }
      RowProblems problems(row.row);
      if (!provincial::ParseTeacherRow(row.fields, index, province, schools,
                                       hasher, &parsed, problems)) {
        std::abort();
      }
      parsed.record.set_teacher_number(MintTeacherNumber(province, ++minted));
      fn(parsed.record);
    }
  };
  gen.WriteTeachersCsv([&](const std::string& chunk) {
    reader.Feed(chunk);
    drain();
  });
  reader.Finish();
  drain();
}

long StatusMiB(int pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field, 0) == 0)
      return std::atol(line.c_str() + field.size()) / 1024;
  return 0;
}

v1::GetCursorRequest Hello() { return provincial::SyncHello(0); }

absl::StatusOr<provincial::VerifyReport> Federation::Verify(
    const std::string& code) {
  return provincial::VerifyOnce(provinces_.at(code), {});
}

std::vector<std::string> Federation::NationalProblems(const std::string& code) {
  national::ProvinceDb* db =
      ValueOrDie(national_->store().Province(code, false));
  return ValueOrDie(db->Check()).problems;
}

std::shared_ptr<grpc::Channel> Federation::ChannelAs(const v1::TlsFiles& tls) {
  return MakeChannel(national_address(),
                     ValueOrDie(MakeChannelCredentials(tls)));
}

std::unique_ptr<v1::NationalQuery::Stub> Federation::QueryStub(
    const PeerIdentity& as) {
  return v1::NationalQuery::NewStub(ChannelAs(pki_.For(as)));
}

std::unique_ptr<v1::NationalSync::Stub> Federation::SyncStub(
    const PeerIdentity& as) {
  return v1::NationalSync::NewStub(ChannelAs(pki_.For(as)));
}

}  // namespace ntmis::testing
