// One province's data at the national node (province-NN.db): the effective
// core records it pushed, its sync cursor, its rejection ledger, the rollup
// of teacher counts that aggregates read, the anti-entropy digests, and the
// two halves of moves between provinces (records held until their owner
// releases them; releases not yet handed to the registry). A batch, its
// cursor move, its rollup and digest changes commit in one transaction, so
// after any crash they agree and a re-sent batch is recognised by the cursor.
//
// The implementation is one file per concern: province_db.cc (schema, open,
// state, look-up, health facts), province_apply.cc (a batch checked and
// applied), province_moves.cc (held records and departures),
// province_digests.cc (anti-entropy), province_check.cc (check, rewind and
// rebuild); province_db_internal.h holds what they share.
//
// Thread-safe: writes are serialized on a writer connection; aggregate reads
// use a second connection and run beside a write (WAL).
#ifndef NTMIS_NATIONAL_INGEST_PROVINCE_DB_H_
#define NTMIS_NATIONAL_INGEST_PROVINCE_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "common/sql/wal_checkpointer.h"
#include "common/teacher/record_digest.h"
#include "national/registry/identity_registry.h"
#include "national/registry/owner_registry.h"
#include "national/rollup/dimensions.h"
#include "national/rollup/rollup_cube.h"
#include "ntmis/v1/query.pb.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

struct ProvinceState {
  uint64_t applied_seq = 0;
  uint64_t records = 0;
  int64_t last_sync_unix = 0;  // last attempt
  int64_t last_success_unix =
      0;  // last batch applied, or hello with nothing to send
  std::string last_result;
  uint64_t rejected = 0;
  uint64_t held = 0;
  // As the province's last hello reported them:
  uint64_t outbox_end = 0;
  uint32_t catalog_version = 0;
  int64_t verified_unix = 0;      // its last sync --verify; 0: never
  uint64_t verify_differing = 0;  // buckets that still differed then
  uint64_t registry_version = 0;  // the school registry version it has
};

// A release recorded by this province's push whose hand-over to the owner
// registry and the receiving province is not finished.
struct Departure {
  std::string teacher_number;
  std::string to_province;
};

// Differences between the stored rollup/digests and a recount of the
// teachers table; empty when they agree.
struct CheckReport {
  uint64_t teachers = 0;
  std::vector<std::string> problems;
};

// One change of a batch after the checks that need no database.
struct PreparedChange {
  std::string bytes;    // the record as stored; empty for tombstones
  int64_t cell = 0;     // its rollup cell
  int64_t outlook = 0;  // its outlook cell (national/rollup/outlook_cell.h)
  uint64_t hash = 0;    // its digest hash
  int64_t id_key = 0;   // its ID index key; 0: none
  std::string rejected_field;  // set when the record breaks a rule
  std::string rejected_reason;
};

struct PreparedBatch {
  v1::PushBatch batch;
  std::vector<PreparedChange> changes;  // parallel to batch.changes()
  // Parallel too, set by ProvinceDb::Claim: the identity a change's person
  // is registered under when it is another number (an identity conflict).
  std::vector<std::optional<RegisteredIdentity>> registered;
};

class ProvinceDb {
 public:
  // Opens or creates the file for `province` (two-digit code); `owners`,
  // `identities` and `checkpointer` (if any: else SQLite checkpoints in the
  // commit path) must outlive it.
  static absl::StatusOr<std::unique_ptr<ProvinceDb>> Open(
      const std::string& path, const std::string& province,
      const OwnerRegistry& owners, IdentityRegistry& identities,
      sql::WalCheckpointer* checkpointer = nullptr);

  const std::string& province() const { return province_; }

  absl::StatusOr<ProvinceState> State() ABSL_LOCKS_EXCLUDED(read_mu_);

  // Gives back the memory of the connections' unused cached pages (after a
  // push: the national node holds 32 files, most of them idle).
  void ReleaseCache() ABSL_LOCKS_EXCLUDED(write_mu_, read_mu_);

  // Checks a batch without the database (see sync.proto for the rules) and
  // does the per-record work that needs none: INVALID_ARGUMENT for a
  // malformed batch, PERMISSION_DENIED for a record of another province.
  // Thread-safe and lock-free, so it can run beside Apply of the previous
  // batch.
  absl::StatusOr<PreparedBatch> Prepare(v1::PushBatch batch,
                                        size_t max_changes) const;

  // Claims the person of each record new to this file, or whose ID-card
  // hash changed, in the identity registry (committed there before the
  // batch: a claim without the batch is the same claim when the batch is
  // re-sent), and notes in `batch.registered` each person registered under
  // another number. Runs on the push reader's thread, beside Apply of the
  // previous batch (it was 40% of a full sync's apply thread, issue 30):
  // what is stored is read through the reader connection, which may not
  // show the batches not yet applied, and a person claimed again for the
  // same number is no change, so a stale read only claims more.
  absl::Status Claim(PreparedBatch& batch) ABSL_LOCKS_EXCLUDED(read_mu_);

  // Applies a prepared and claimed batch and returns its ack;
  // FAILED_PRECONDITION for a gap after the cursor, which writes nothing. A
  // person registered under another number is rejected as an identity
  // conflict. A record of a teacher that another province owns is held; a
  // release (tombstone with moved_to) is recorded as a departure for
  // NationalStore::CompleteMoves.
  absl::StatusOr<v1::PushAck> Apply(const PreparedBatch& batch)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Prepare, Claim and Apply in one call.
  absl::StatusOr<v1::PushAck> Apply(const v1::PushBatch& batch,
                                    size_t max_changes)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Releases not yet handed over (see NationalStore::CompleteMoves).
  absl::StatusOr<std::vector<Departure>> PendingDepartures()
      ABSL_LOCKS_EXCLUDED(write_mu_);
  absl::Status MarkDeparted(const std::string& teacher_number)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // Counts a held record of a teacher this province now owns; false when
  // none is held (the province's next push brings it).
  absl::StatusOr<bool> TakeIn(const std::string& teacher_number)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Teachers whose records this province pushed but another owns (held).
  absl::StatusOr<std::vector<std::string>> Held() ABSL_LOCKS_EXCLUDED(read_mu_);

  // The counted record of a teacher; NOT_FOUND when there is none.
  absl::StatusOr<v1::TeacherRecord> Find(const std::string& teacher_number)
      ABSL_LOCKS_EXCLUDED(read_mu_);

  // Anti-entropy: every non-empty bucket's digest, and the per-teacher
  // hashes of some buckets.
  absl::StatusOr<v1::Digests> Digests() ABSL_LOCKS_EXCLUDED(read_mu_);
  absl::StatusOr<v1::BucketEntries> BucketEntries(
      const std::vector<std::string>& buckets) ABSL_LOCKS_EXCLUDED(read_mu_);

  // Recounts rollup, digests and the record count from the teachers table
  // and compares them with the stored ones and the in-memory rollup.
  absl::StatusOr<CheckReport> Check() ABSL_LOCKS_EXCLUDED(read_mu_);

  // Moves the cursor back to `seq` (below it); see NationalSync.Realign.
  absl::Status Rewind(uint64_t seq) ABSL_LOCKS_EXCLUDED(write_mu_);

  // Recomputes rollup, digests and the record count from the teachers table
  // in one transaction (after a CheckReport found them wrong, e.g. the file
  // was edited by hand); sync --verify then finds what the records lack.
  absl::Status Rebuild() ABSL_LOCKS_EXCLUDED(write_mu_);

  // Records what the province's hello at the start of a sync reported.
  absl::Status NoteHello(const v1::GetCursorRequest& hello)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Notes a failed sync in the state shown to operators.
  absl::Status RecordFailure(const std::string& result)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Adds this province's teacher counts for `query` to `out`, from the
  // in-memory rollup (committed batches only).
  void Count(const CubeQuery& query, CubeCounts& out) {
    cube_.Count(query, out);
  }
  // Builds the in-memory view `query` would read (see ViewWarmer).
  void PrepareView(const CubeQuery& query) { cube_.Prepare(query); }
  // The same over the outlook's cube (national/rollup/outlook_cell.h).
  void CountOutlook(const CubeQuery& query, CubeCounts& out) {
    outlook_cube_.Count(query, out);
  }
  void PrepareOutlookView(const CubeQuery& query) {
    outlook_cube_.Prepare(query);
  }
  // In-memory views kept (tests and benchmarks).
  size_t views() const { return cube_.views(); }

 private:
  ProvinceDb(std::string province, const OwnerRegistry& owners,
             IdentityRegistry& identities, sql::Database writer,
             sql::Database reader)
      : province_(std::move(province)),
        owners_(owners),
        identities_(identities),
        writer_(std::move(writer)),
        reader_(std::move(reader)) {}

  // Loads the in-memory rollup, after rebuilding the stored one from the
  // records if it was written in another cell layout.
  absl::Status LoadCube() ABSL_LOCKS_EXCLUDED(write_mu_);
  // `claim`: also claim every record in the identity registry.
  absl::Status RebuildLocked(bool claim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const std::string province_;
  const OwnerRegistry& owners_;
  IdentityRegistry& identities_;
  RollupCube cube_;
  RollupCube outlook_cube_;  // kept like cube_, after every commit
  absl::Mutex write_mu_;
  sql::Database writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  sql::Database reader_ ABSL_GUARDED_BY(read_mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_INGEST_PROVINCE_DB_H_
