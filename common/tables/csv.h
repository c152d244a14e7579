// RFC 4180 CSV: an incremental reader fed in chunks (so a file of any size
// streams in bounded memory) and a writer helper.
#ifndef NTMIS_COMMON_TABLES_CSV_H_
#define NTMIS_COMMON_TABLES_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ntmis {

struct CsvRecord {
  // The line the record starts on (1-based), blank lines counted, as an
  // editor or spreadsheet numbers it; a quoted line break makes a record
  // span lines.
  uint64_t row = 0;
  std::vector<std::string> fields;
  std::string error;  // broken quoting; fields are best-effort when set
};

// Not thread-safe.
class CsvReader {
 public:
  enum class Result { kRecord, kNeedMore, kEnd };

  // Appends the next bytes of the file.
  void Feed(absl::string_view data);
  // No more bytes will come; a last record without a newline is complete.
  void Finish() { finished_ = true; }
  // The next complete record, kNeedMore until more is fed, kEnd at the end.
  // Blank lines are skipped (and counted).
  Result Next(CsvRecord* out);

 private:
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t lines_ = 0;  // line ends before pos_
  bool finished_ = false;
};

// Appends `field`, quoted if it holds a comma, quote or line break.
void AppendCsvField(std::string* out, absl::string_view field);
// Appends the fields joined by commas and a "\n".
void AppendCsvLine(std::string* out, const std::vector<std::string>& fields);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_CSV_H_
