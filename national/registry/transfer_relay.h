// The national node's relay of transfers between provinces (national.db
// `transfers` and `transfer_mail`; docs/architecture.md, "Careers"): a
// mailbox per province, filled and emptied by each province's sync
// (NationalSync.ExchangeTransfers). A request from the receiving province is
// addressed to the teacher's owner, with the receiving node's certificate
// attached so the sending province can seal the teacher's file for it; the
// decision goes back to the receiving province with the sealed file, which
// the national node cannot open. Messages are kept until their province
// says it has stored them, so either node may be down in between; a
// request or decision that arrives twice is relayed once.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_TRANSFER_RELAY_H_
#define NTMIS_NATIONAL_REGISTRY_TRANSFER_RELAY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

class TransferRelay {
 public:
  static constexpr const char* kSchema = R"sql(
CREATE TABLE transfer_mail (
  seq INTEGER PRIMARY KEY,
  to_province TEXT NOT NULL,
  message BLOB NOT NULL
);
CREATE INDEX transfer_mail_to ON transfer_mail(to_province, seq);
CREATE TABLE transfers (
  receiving_province TEXT NOT NULL,
  receiving_case INTEGER NOT NULL,
  sending_province TEXT NOT NULL,
  teacher_number TEXT NOT NULL,
  state TEXT NOT NULL,
  filed_unix INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY (receiving_province, receiving_case)
) WITHOUT ROWID;
)sql";

  // national.db, already migrated.
  static absl::StatusOr<std::unique_ptr<TransferRelay>> Open(
      const std::string& path);

  // One province's exchange: takes `in` from `caller` (its node certificate
  // `caller_certificate`, PEM), answers what waits for it. `owner` names a
  // teacher's owning province.
  absl::StatusOr<v1::TransferMail> Exchange(
      const std::string& caller, const std::string& caller_certificate,
      const v1::TransferMail& in,
      const std::function<std::string(const std::string&)>& owner)
      ABSL_LOCKS_EXCLUDED(mu_);

  struct Transfer {
    std::string receiving_province;
    uint64_t receiving_case = 0;
    std::string sending_province;
    std::string teacher_number;
    std::string state;  // open, completed, returned
    int64_t filed_unix = 0;
    int64_t updated_unix = 0;
  };
  // Transfers, open ones first, each kind newest first.
  absl::StatusOr<std::vector<Transfer>> List() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit TransferRelay(sql::Database db) : db_(std::move(db)) {}
  absl::Status Enqueue(const std::string& to, const v1::TransferMessage& m)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_TRANSFER_RELAY_H_
