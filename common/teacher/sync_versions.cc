#include "common/teacher/sync_versions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ntmis {

SyncVersions OwnSyncVersions() {
  return {kProtocolVersion, kMinProtocolVersion, kCoreCatalogVersion};
}

absl::Status CheckSyncVersions(const SyncVersions& province,
                               const SyncVersions& national) {
  const uint32_t p_protocol = std::max(province.protocol, 1u);
  const uint32_t n_protocol = std::max(national.protocol, 1u);
  const uint32_t n_min = std::max(national.min_protocol, 1u);
  const uint32_t p_min = std::max(province.min_protocol, 1u);
  if (p_protocol < n_min) {
    return absl::FailedPreconditionError(
        absl::StrCat("the province speaks sync protocol ", p_protocol,
                     " but the national node needs at least ", n_min,
                     ": upgrade ntmis-provincial"));
  }
  if (n_protocol < p_min) {
    return absl::FailedPreconditionError(
        absl::StrCat("the national node speaks sync protocol ", n_protocol,
                     " but this province needs at least ", p_min,
                     ": upgrade ntmis-national"));
  }
  const uint32_t p_catalog = std::max(province.catalog, 1u);
  const uint32_t n_catalog = std::max(national.catalog, 1u);
  if (p_catalog > n_catalog) {
    return absl::FailedPreconditionError(
        absl::StrCat("the province writes core catalog version ", p_catalog,
                     " but the national node knows versions 1 to ", n_catalog,
                     ": upgrade ntmis-national"));
  }
  return absl::OkStatus();
}

}  // namespace ntmis
