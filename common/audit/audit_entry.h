// One audit entry and its link in the hash chain: what the audit log
// (common/audit/audit_log.h) stores and its archives
// (common/audit/audit_archive.h) keep.
//
// Thread-safe: plain data and a pure function.
#ifndef NTMIS_COMMON_AUDIT_AUDIT_ENTRY_H_
#define NTMIS_COMMON_AUDIT_AUDIT_ENTRY_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "ntmis/v1/provincial.pb.h"

namespace ntmis {

struct AuditEntry {
  std::string actor;   // user name or peer identity URI
  std::string action;  // "sync.push", "user.login", ...
  std::string target;  // what it acted on; never raw PII
  std::string result;  // "ok" or the status code name
  std::string detail;  // free text; never raw PII
};

struct StoredAuditEntry {
  uint64_t id = 0;
  int64_t at_unix = 0;
  AuditEntry entry;
};

// Entry `id`'s hash in the chain, after `prev` (empty before entry 1).
std::string AuditChainHash(absl::string_view prev, int64_t id, int64_t at_unix,
                           const AuditEntry& entry);

// An audit entry's result as people read it, on either node: "ok" → 成功,
// "PERMISSION_DENIED" → 无权限, ….
std::string AuditResultLabel(absl::string_view result);

// An entry as both nodes' audit pages send it, with what was done as
// people read it (each node labels its own actions).
void ToProto(const StoredAuditEntry& entry, const std::string& action_label,
             v1::AuditRecord* out);

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_AUDIT_ENTRY_H_
