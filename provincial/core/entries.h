// Category entries of a teacher (provincial/core/categories.h) in the database:
// each write keeps the version it replaces, so every version of every entry
// stays in the history; a deletion is a version too.
#ifndef NTMIS_PROVINCIAL_CORE_ENTRIES_H_
#define NTMIS_PROVINCIAL_CORE_ENTRIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/store.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {

// Writes entries with its statements prepared once (imports write many).
// Not thread-safe; the Store must outlive it.
class EntryWriter {
 public:
  explicit EntryWriter(Store& store) : store_(store) {}

  // Writes entry `entry_no` of a teacher's category (0: a new entry,
  // numbered after the last one), inside the caller's transaction; returns
  // its number. NOT_FOUND for a given entry_no that does not exist.
  absl::StatusOr<int64_t> Write(const std::string& teacher_number,
                                const std::string& category, int64_t entry_no,
                                const v1::EntryValues& values, bool deleted,
                                const ChangeMeta& meta);

 private:
  Store& store_;
  std::optional<sql::Statement> last_, insert_, keep_, update_;
};

// One EntryWriter::Write.
absl::StatusOr<int64_t> WriteEntry(Store& store,
                                   const std::string& teacher_number,
                                   const std::string& category,
                                   int64_t entry_no,
                                   const v1::EntryValues& values, bool deleted,
                                   const ChangeMeta& meta);

// The current entries (deleted ones left out unless `with_deleted`), by
// category then number; every category when `category` is empty.
absl::StatusOr<std::vector<v1::EntryView>> LoadEntries(
    Store& store, const std::string& teacher_number,
    const std::string& category, bool with_deleted = false);
absl::StatusOr<std::optional<v1::EntryView>> LoadEntry(
    Store& store, const std::string& teacher_number,
    const std::string& category, int64_t entry_no);

// Every superseded version of a teacher's entries, oldest first.
absl::StatusOr<std::vector<v1::EntryView>> EntryHistory(
    Store& store, const std::string& teacher_number);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_ENTRIES_H_
