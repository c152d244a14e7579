// One province's data at the national node (province-NN.db): the effective
// core records it pushed, its sync cursor, its rejection ledger, and the
// rollup of teacher counts that aggregates read. A batch, its cursor move and
// its rollup changes commit in one transaction, so after any crash the three
// agree and a re-sent batch is recognised by the cursor.
//
// Thread-safe: writes are serialized on a writer connection; aggregate reads
// use a second connection and run beside a write (WAL).
#ifndef NTMIS_NATIONAL_PROVINCE_DB_H_
#define NTMIS_NATIONAL_PROVINCE_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sqlite.h"
#include "national/dimensions.h"
#include "ntmis/v1/query.pb.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

struct ProvinceState {
  uint64_t applied_seq = 0;
  uint64_t records = 0;
  int64_t last_sync_unix = 0;
  std::string last_result;
  uint64_t rejected = 0;
};

// A filter on one rollup dimension: any of `values` matches.
struct DimensionFilter {
  const Dimension* dimension;
  std::vector<int64_t> values;
};

// One change of a batch after the checks that need no database.
struct PreparedChange {
  std::string bytes;            // the record as stored; empty for tombstones
  int64_t cell = 0;             // its rollup cell
  std::string rejected_field;   // set when the record breaks a rule
  std::string rejected_reason;
};

struct PreparedBatch {
  v1::PushBatch batch;
  std::vector<PreparedChange> changes;  // parallel to batch.changes()
};

class ProvinceDb {
 public:
  // Opens or creates the file for `province` (two-digit code).
  static absl::StatusOr<std::unique_ptr<ProvinceDb>> Open(const std::string& path,
                                                         const std::string& province);

  const std::string& province() const { return province_; }

  absl::StatusOr<ProvinceState> State() ABSL_LOCKS_EXCLUDED(read_mu_);

  // Checks a batch without the database (see sync.proto for the rules) and
  // does the per-record work that needs none: INVALID_ARGUMENT for a
  // malformed batch, PERMISSION_DENIED for a record of another province.
  // Thread-safe and lock-free, so it can run beside Apply of the previous
  // batch.
  absl::StatusOr<PreparedBatch> Prepare(v1::PushBatch batch, size_t max_changes) const;

  // Applies a prepared batch and returns its ack; FAILED_PRECONDITION for a
  // gap after the cursor, which writes nothing.
  absl::StatusOr<v1::PushAck> Apply(const PreparedBatch& batch)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Prepare and Apply in one call.
  absl::StatusOr<v1::PushAck> Apply(const v1::PushBatch& batch, size_t max_changes)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Notes a failed sync in the state shown to operators.
  absl::Status RecordFailure(const std::string& result) ABSL_LOCKS_EXCLUDED(write_mu_);

  // Teacher counts from the rollup, grouped by `group_by` and filtered (cell
  // dimensions only); `row` gets the group's dimension values and count.
  absl::Status Aggregate(
      const std::vector<const Dimension*>& group_by,
      const std::vector<DimensionFilter>& where,
      const std::function<void(const std::vector<int64_t>&, uint64_t)>& row)
      ABSL_LOCKS_EXCLUDED(read_mu_);

 private:
  ProvinceDb(std::string province, sql::Database writer, sql::Database reader)
      : province_(std::move(province)), writer_(std::move(writer)),
        reader_(std::move(reader)) {}

  const std::string province_;
  absl::Mutex write_mu_;
  sql::Database writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex read_mu_;
  sql::Database reader_ ABSL_GUARDED_BY(read_mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_PROVINCE_DB_H_
