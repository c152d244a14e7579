// Export of a unit's teachers as CSV: the core record (the teacher template's
// columns without the ID-card number, which is never exported in bulk, plus
// teacher number, state, city and county), or one category's entries as its
// import template, so that an edited export imports again.
#ifndef NTMIS_PROVINCIAL_IMPORT_EXPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_EXPORT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// Streams the CSV to `sink` in pieces of about 256 KiB, school by school;
// `rows` counts the data rows. The unit must be within the user's scope;
// teacher accounts export nothing.
absl::Status ExportCsv(Store& store, const User& user, const v1::ExportRequest& request,
                       const std::function<absl::Status(const std::string&)>& sink,
                       uint64_t* rows);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_EXPORT_H_
