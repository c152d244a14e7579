#include "common/audit/audit_entry.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"

namespace ntmis {

std::string AuditChainHash(absl::string_view prev, int64_t id, int64_t at,
                           const AuditEntry& e) {
  // Length-prefixed fields, so no two entries serialize alike.
  std::string data;
  auto add = [&data](absl::string_view part) {
    absl::StrAppend(&data, static_cast<uint64_t>(part.size()), ":", part, ";");
  };
  add(prev);
  add(absl::StrCat(id));
  add(absl::StrCat(at));
  add(e.actor);
  add(e.action);
  add(e.target);
  add(e.result);
  add(e.detail);
  return crypto::Sha256(data);
}

}  // namespace ntmis
