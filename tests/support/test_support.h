// Helpers for tests: temporary directories, a federation PKI made with the
// project's own code, and a running federation (national node + provincial
// nodes) on localhost:0.
#ifndef NTMIS_TESTS_SUPPORT_TEST_SUPPORT_H_
#define NTMIS_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/audit/audit_anchor.h"
#include "common/pki/peer_identity.h"
#include "national/server/server.h"
#include "ntmis/v1/config.pb.h"
#include "ntmis/v1/query.grpc.pb.h"
#include "ntmis/v1/sync.grpc.pb.h"
#include "provincial/client/api_client.h"
#include "provincial/server/node.h"
#include "provincial/web/web_server.h"

namespace ntmis::testing {

// A fresh directory under $TMPDIR, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Fails the test with the status message unless OK; returns the value.
#define NTMIS_ASSERT_OK(expr)  \
  do {                         \
    auto ntmis_s_ = (expr);    \
    INFO(ntmis_s_.ToString()); \
    REQUIRE(ntmis_s_.ok());    \
  } while (0)

template <typename T>
T ValueOrDie(absl::StatusOr<T> v) {
  if (!v.ok()) throw std::runtime_error(std::string(v.status().ToString()));
  return std::move(*v);
}

// A CA in dir/ca with certificates issued on demand.
class TestPki {
 public:
  explicit TestPki(const std::string& dir,
                   const std::string& org = "NTMIS Test");
  // Issues (once) and returns the TLS files for an identity.
  v1::TlsFiles For(const PeerIdentity& identity);
  const std::string& ca_dir() const { return ca_dir_; }
  std::string ca_cert() const { return ca_dir_ + "/ca.crt"; }
  std::string id_hash_key() const { return ca_dir_ + "/id-hash.key"; }

 private:
  std::string ca_dir_;
  std::map<std::string, v1::TlsFiles> issued_;
};

// A valid core record of `province`, numbered by `n`, with dimension values
// varied by `variant`.
v1::TeacherRecord SampleRecord(int province, uint64_t n, int variant = 0);

// Streams `count` generated core records of `province` (the generator's
// teachers, checked by the provincial template rules; numbered 1..count) to
// `fn`, in bounded memory. Aborts if the generator writes a row the rules
// refuse.
void ForEachSyntheticRecord(int province, uint64_t count, uint64_t seed,
                            const std::function<void(v1::TeacherRecord&)>& fn);

// What someone who can write the audit table does (tests of the audit
// trail): drops its append-only triggers and runs `sql`.
void TamperAudit(const std::string& db_path, const std::string& sql);
// ...and then recomputes every hash of the chain so that it is consistent
// again; returns the new head (count and last hash).
AuditHead RecomputeAuditChain(const std::string& db_path);

// A GetCursor request announcing this build's protocol and catalog.
v1::GetCursorRequest Hello();

// A memory field of /proc/PID/status ("VmHWM:", "RssAnon:") in MiB.
long StatusMiB(int pid, const std::string& field);

// UTF-8 text re-encoded as GB18030 (with the system's iconv), as test input.
std::string ToGb18030(const std::string& utf8);

inline constexpr char kAdminPassword[] = "Test-Passw0rd";

// A national node and provincial nodes in one process, on localhost:0.
class Federation {
 public:
  Federation();
  // With a binary, the national node runs as its own process (ntmis-national
  // serve), so benchmarks can read its memory; national() is then unusable.
  explicit Federation(std::string national_binary);
  ~Federation();

  // The national node's process id (external mode), else 0.
  int national_pid() const { return national_pid_; }

  TempDir& dir() { return dir_; }
  TestPki& pki() { return pki_; }
  national::NationalServer& national() { return *national_; }
  std::string national_address() const;

  // The national node's configuration: changes take effect at the next
  // StartNational.
  v1::NationalConfig& national_config() { return national_config_; }
  // Starts the national node (again, after StopNational) on the same data.
  void StartNational();
  void StopNational();

  // Initialises a province (database, admin "admin", root unit) and starts
  // its node; returns its config. Scheduled sync is off unless an interval
  // is given.
  const v1::ProvincialConfig& AddProvince(const std::string& code,
                                          uint32_t sync_interval_seconds = 0);
  const v1::ProvincialConfig& province(const std::string& code) {
    return provinces_.at(code);
  }
  // Stops a province's node (its database stays; Sync and Verify still work).
  void StopProvince(const std::string& code);
  // Starts a stopped province's node again on its database.
  void StartProvince(const std::string& code);
  std::string province_address(const std::string& code) const;
  provincial::ProvincialNode& node(const std::string& code) {
    return *nodes_.at(code);
  }
  // Starts the province's web console on localhost:0; returns its port.
  int StartConsole(const std::string& code);

  // Waits until the audit entries of every call made so far are written, at
  // the national node (in-process mode) and every running province.
  void FlushAudits();

  // Logs in to a province's API as its administrator.
  std::unique_ptr<provincial::ApiClient> Admin(const std::string& code);

  // Generates `count` synthetic teachers with their unit tree, imports both
  // through the API; returns the teacher CSV.
  std::string LoadSynthetic(const std::string& code, uint64_t count,
                            uint64_t seed);

  // A sync run for the province with the node certificate.
  absl::StatusOr<provincial::SyncReport> Sync(
      const std::string& code, provincial::SyncOptions options = {});

  // `sync --verify` for the province.
  absl::StatusOr<provincial::VerifyReport> Verify(const std::string& code);
  const std::string& national_data_dir() const {
    return national_config_.data_dir();
  }

  // The national node's recount check of a province (empty when rollups,
  // digests and counts agree with the stored records).
  std::vector<std::string> NationalProblems(const std::string& code);

  // Stubs with an arbitrary identity's certificate.
  std::unique_ptr<v1::NationalQuery::Stub> QueryStub(const PeerIdentity& as);
  std::unique_ptr<v1::NationalSync::Stub> SyncStub(const PeerIdentity& as);
  std::shared_ptr<grpc::Channel> ChannelAs(const v1::TlsFiles& tls);

 private:
  TempDir dir_;
  TestPki pki_;
  v1::NationalConfig national_config_;
  std::unique_ptr<national::NationalServer> national_;
  int national_port_ = 0;
  std::string national_binary_;
  int national_pid_ = 0;
  std::map<std::string, v1::ProvincialConfig> provinces_;
  std::map<std::string, std::unique_ptr<provincial::ProvincialNode>> nodes_;
  // After nodes_: a console stops before the node whose channel it uses.
  std::map<std::string, std::unique_ptr<provincial::WebServer>> consoles_;
};

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_SUPPORT_TEST_SUPPORT_H_
