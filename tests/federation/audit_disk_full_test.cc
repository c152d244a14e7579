// No action without its audit entry (common/audit/audit_log.h): a province
// whose disk fills refuses calls (UNAVAILABLE, health NOT_SERVING) while its
// audit cannot be written, resumes by itself once it can, and afterwards every
// unit it added has its entry. The disk is a small tmpfs mounted over
// the province's folder (root only, as CI runs).
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/config.h"
#include "common/rpc/health_probe.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;
using Clock = std::chrono::steady_clock;

// A tmpfs of `mib` MiB over `dir`, lazily unmounted when destroyed.
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, int mib) : dir_(dir) {
    std::filesystem::create_directories(dir);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0,
                       absl::StrCat("size=", mib, "m").c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

  // Writes a file until the disk is full.
  void Fill() {
    std::ofstream out(dir_ + "/filler", std::ios::binary);
    const std::string block(64 << 10, 'x');
    while (out.write(block.data(), block.size())) {
    }
  }
  void Free() { std::filesystem::remove(dir_ + "/filler"); }

 private:
  std::string dir_;
  bool mounted_ = false;
};

std::string Health(Federation& f) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ValueOrDie(ReadFile(f.pki().ca_cert()));
  auto channel =
      grpc::CreateChannel(f.province_address("44"), grpc::SslCredentials(tls));
  return ValueOrDie(ProbeHealth(channel, std::chrono::seconds(10)));
}

TEST_CASE("A province whose audit cannot be written refuses calls until it can",
          "[audit]") {
  Federation f;
  SmallDisk disk(f.dir().File("province-44"), 24);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (not root?): the disk-full test needs one");
    return;
  }
  f.AddProvince("44");
  auto admin = f.Admin("44");
  REQUIRE(Health(f) == "SERVING");

  // Units added by several clients at once while the disk fills: cities
  // 4401-4499, then counties of 4401.
  absl::Mutex mu;
  std::set<std::string> created;
  std::atomic<int> refused_unaudited{0}, other_errors{0};
  std::atomic<int> next{0};
  auto create = [&]() {
    const int i = next++;
    v1::UnitInfo unit;
    if (i < 99) {
      unit.set_code(absl::StrCat(4401 + i));
      unit.set_parent_code("44");
      unit.set_level(2);
      unit.set_name(absl::StrCat("测试市", i));
    } else {
      unit.set_code(absl::StrCat(440100 + 1 + (i - 99)));
      unit.set_parent_code("4401");
      unit.set_level(3);
      unit.set_name(absl::StrCat("测试县", i));
    }
    auto answer = admin->Call(&Stub::AddUnit, unit);
    if (answer.ok()) {
      absl::MutexLock lock(&mu);
      created.insert(unit.code());
    } else if (absl::IsUnavailable(answer.status()) &&
               absl::StrContains(answer.status().message(),
                                 "审计日志无法写入")) {
      ++refused_unaudited;
    } else {
      ++other_errors;
    }
  };
  for (int i = 0; i < 5; ++i) create();
  REQUIRE(created.size() == 5);

  disk.Fill();
  const auto filled = Clock::now();
  while (refused_unaudited == 0 && next < 190 &&
         Clock::now() - filled < std::chrono::seconds(60)) {
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) clients.emplace_back(create);
    for (std::thread& t : clients) t.join();
  }
  INFO("units added " << created.size() << ", other errors " << other_errors);
  REQUIRE(refused_unaudited > 0);
  // The node says it is not serving, and a login is refused too.
  CHECK(Health(f) == "NOT_SERVING");
  auto login = provincial::ApiClient::Connect(f.province_address("44"),
                                              f.pki().ca_cert());
  REQUIRE(login.ok());
  absl::Status refused_login = (*login)->Login("admin", kAdminPassword);
  CHECK(absl::IsUnavailable(refused_login));

  // Space again: the node resumes by itself.
  disk.Free();
  const auto freed = Clock::now();
  bool resumed = false;
  for (int i = 0; !resumed && Clock::now() - freed < std::chrono::seconds(20);
       ++i) {
    const size_t before = created.size();
    create();
    resumed = created.size() > before;
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(resumed);
  CHECK(Health(f) == "SERVING");
  NTMIS_ASSERT_OK((*login)->Login("admin", kAdminPassword));

  // Nothing happened without its entry: every unit the node holds was
  // added with an audit entry, and the chain is whole.
  f.FlushAudits();
  std::set<std::string> held;
  for (const char* parent : {"44", "4401"}) {
    v1::ListUnitsRequest list;
    list.set_unit_code(parent);
    const v1::ListUnitsResponse units =
        ValueOrDie(admin->Call(&Stub::ListUnits, list));
    for (const v1::UnitInfo& u : units.units()) held.insert(u.code());
  }
  CHECK(held == created);
  v1::AuditQuery query;
  query.set_action("unit.add");
  query.set_limit(10000);
  v1::AuditEntries entries = ValueOrDie(admin->Call(&Stub::QueryAudit, query));
  std::set<std::string> audited;
  for (const v1::AuditRecord& e : entries.entries())
    if (e.result() == "ok") audited.insert(e.target());
  CHECK(audited == held);
  CHECK(ValueOrDie(admin->Call(&Stub::VerifyAudit, v1::VerifyAuditRequest()))
            .intact());
}

TEST_CASE(
    "A national node whose audit cannot be written refuses syncs until it can",
    "[audit]") {
  Federation f;
  f.StopNational();
  SmallDisk disk(f.national_data_dir(), 24);
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (not root?): the disk-full test needs one");
    return;
  }
  f.StartNational();
  f.AddProvince("44");
  f.LoadSynthetic("44", 6000, 1);
  // A first part arrives (ten batches of 100), the rest after the disk fills.
  provincial::SyncOptions part;
  part.batch_size = 100;
  int acks = 0;
  part.on_ack = [&acks](const v1::PushAck&) { return ++acks < 10; };
  (void)f.Sync("44", part);
  auto channel = f.ChannelAs(f.pki().For(PeerIdentity::Operator("probe")));
  REQUIRE(ValueOrDie(ProbeHealth(channel, std::chrono::seconds(10))) ==
          "SERVING");

  disk.Fill();
  provincial::SyncOptions small;
  small.batch_size = 100;
  bool refused = false;
  for (int attempt = 0; !refused && attempt < 20; ++attempt) {
    absl::StatusOr<provincial::SyncReport> sync = f.Sync("44", small);
    refused = !sync.ok() &&
              absl::StrContains(sync.status().message(), "审计日志无法写入");
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(refused);
  CHECK(ValueOrDie(ProbeHealth(channel, std::chrono::seconds(10))) ==
        "NOT_SERVING");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::ProvincesResponse provinces;
  grpc::Status query = f.QueryStub(PeerIdentity::Operator("alice"))
                           ->Provinces(&context, {}, &provinces);
  CHECK(query.error_code() == grpc::StatusCode::UNAVAILABLE);

  disk.Free();
  const auto freed = Clock::now();
  absl::Status synced = absl::UnknownError("not yet");
  while (!synced.ok() && Clock::now() - freed < std::chrono::seconds(30)) {
    synced = f.Sync("44", small).status();
    if (!synced.ok())
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  NTMIS_ASSERT_OK(synced);
  CHECK(ValueOrDie(ProbeHealth(channel, std::chrono::seconds(10))) ==
        "SERVING");

  // Nothing was applied without its entry: the changes the audit says were
  // applied add up to the records the national node holds, and they agree
  // with the province's.
  NTMIS_ASSERT_OK(f.Verify("44").status());
  f.FlushAudits();
  AuditFilter pushes;
  pushes.action = "sync.push";
  pushes.limit = 10000;
  uint64_t applied = 0;
  for (const StoredAuditEntry& e :
       ValueOrDie(f.national().store().audit().Query(pushes))) {
    uint64_t n = 0;
    const std::string& d = e.entry.detail;
    REQUIRE(absl::StartsWith(d, "applied "));
    REQUIRE(absl::SimpleAtoi(d.substr(8, d.find(' ', 8) - 8), &n));
    applied += n;
  }
  grpc::ClientContext again;
  again.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
  REQUIRE(f.QueryStub(PeerIdentity::Operator("alice"))
              ->Provinces(&again, {}, &provinces)
              .ok());
  uint64_t held = 0;
  for (const v1::ProvinceHealth& p : provinces.provinces())
    if (p.province() == "44") held = p.records_held();
  CHECK(held == 6000);
  CHECK(applied == held);
  NTMIS_ASSERT_OK(f.national().store().audit().Verify().status());
}

}  // namespace
}  // namespace ntmis::testing
