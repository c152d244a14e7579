// Prints query answers for operators: an aligned table (CJK-aware), CSV, or
// JSON (aggregates as an array of row objects; other answers in the
// response message's canonical JSON mapping).
#ifndef NTMIS_NATIONAL_QUERY_REPORT_FORMAT_H_
#define NTMIS_NATIONAL_QUERY_REPORT_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/query.pb.h"

namespace ntmis::national {

enum class Format { kTable, kCsv, kJson };
absl::StatusOr<Format> ParseFormat(const std::string& name);

// One row of an aggregate answer, read back from its columns.
struct AnswerRow {
  std::vector<std::string> codes;   // in group_by order
  std::vector<std::string> labels;  // parallel to codes
  uint64_t teachers = 0;
};

// The rows of an answer in its order; a value index outside its column
// (a malformed answer) reads as code "?".
std::vector<AnswerRow> AnswerRows(const v1::AggregateResponse& response);

// Rows with codes, labels, counts and shares of the total; a total line.
std::string FormatAggregate(const v1::AggregateResponse& response,
                            Format format);
// Each match: its province, then every field of the record set, one per
// line (codes with their labels).
std::string FormatLookup(const v1::LookupResponse& response, Format format);
// One line per province; `now_unix` dates the "last sync" column.
std::string FormatProvinces(const v1::ProvincesResponse& response,
                            Format format, int64_t now_unix);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_REPORT_FORMAT_H_
