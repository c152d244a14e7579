// The provincial node's database (province.db): schema, migrations and the
// small shared pieces of state (province code, counters, sync position).
// Domain operations live in their own files and run on Store::db().
//
// Not thread-safe: one Store per thread; WAL lets a sync run beside the API.
#ifndef NTMIS_PROVINCIAL_CORE_STORE_H_
#define NTMIS_PROVINCIAL_CORE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql/sqlite.h"

namespace ntmis::provincial {

// Outbox operations.
enum class OutboxOp : int { kUpsert = 1, kTombstone = 2 };

struct StoreOptions {
  // SQLite page cache of this connection. The default keeps the ID-hash
  // index of a large province in memory (imports); API lanes take less.
  int cache_mib = 256;
};

class Store {
 public:
  // WAL pages (of 16 KiB) a commit leaves before the file is checkpointed.
  static constexpr int kWalCheckpointPages = 4096;

  // Opens (creating if asked) and migrates the database at `path`.
  static absl::StatusOr<Store> Open(const std::string& path,
                                    bool create = false,
                                    StoreOptions store_options = {});
  // The province of the database at `path`, read without opening it for
  // writing or migrating it (empty if it was never initialised); an error if
  // it cannot be read as a province database.
  static absl::StatusOr<std::string> PeekProvince(const std::string& path);

  // Records the province this database belongs to; FAILED_PRECONDITION if
  // it already belongs to another.
  absl::Status SetProvince(const std::string& province);
  // NOT_FOUND until `ntmis-provincial init` ran.
  absl::StatusOr<std::string> Province();

  absl::StatusOr<std::string> GetMeta(const std::string& key,
                                      const std::string& fallback);
  absl::Status SetMeta(const std::string& key, const std::string& value);
  absl::StatusOr<int64_t> GetMetaInt(const std::string& key, int64_t fallback);

  // Appends to the outbox; call inside the transaction that makes the change
  // effective. `moved_to` (a province code) goes with a tombstone that
  // completes a transfer out.
  absl::Status AppendOutbox(const std::string& teacher_number, OutboxOp op,
                            int moved_to = 0);

  // The newest outbox sequence number (0 when empty).
  absl::StatusOr<uint64_t> OutboxEnd();

  sql::Database& db() { return db_; }

  // Personal details at rest (docs/architecture.md, "Sealed at rest"): every
  // category entry's values, in entries, their versions and change
  // requests, are stored sealed (AES-256-GCM) under the node's sealing key
  // (`pii_key`, the one that seals ID-card numbers), so the raw database
  // and its WAL show no mobile number, e-mail or address. A connection
  // that reads or writes them needs the key: FAILED_PRECONDITION without.
  void set_seal_key(std::string key) { seal_key_ = std::move(key); }
  absl::StatusOr<std::string> SealAtRest(absl::string_view plain) const;
  // A value as stored: sealed ones are opened (DATA_LOSS if they do not
  // open under the key), ones stored before sealing are returned as they are.
  absl::StatusOr<std::string> OpenAtRest(absl::string_view stored) const;
  // Seals what an older build stored in the clear, once (meta
  // kSealedAtRest); needs the key.
  absl::Status SealStoredValues();

 private:
  explicit Store(sql::Database db) : db_(std::move(db)) {}
  sql::Database db_;
  std::string seal_key_;
  std::optional<sql::Statement> outbox_insert_;  // prepared on first use
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_STORE_H_
