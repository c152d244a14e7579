// Individual look-up: one teacher's national record by teacher number or by
// ID-card number (hashed with the federation key, as provinces hash it).
// The caller audits it; this only answers.
#ifndef NTMIS_NATIONAL_QUERY_LOOKUP_H_
#define NTMIS_NATIONAL_QUERY_LOOKUP_H_

#include <string>

#include "absl/status/statusor.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

inline constexpr size_t kMinReasonLength = 4;

// What the audit log may name: the teacher number, or the ID-card number
// masked.
std::string LookupTarget(const v1::LookupRequest& request);

// INVALID_ARGUMENT for a missing reason, a malformed number or no key;
// FAILED_PRECONDITION for an ID-card look-up when `id_hash_key` is empty;
// NOT_FOUND when no province holds the teacher.
absl::StatusOr<v1::LookupResponse> Lookup(NationalStore& store,
                                          const std::string& id_hash_key,
                                          const v1::LookupRequest& request);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_LOOKUP_H_
