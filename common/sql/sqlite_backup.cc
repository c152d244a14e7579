#include "common/sql/sqlite_backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/base/status_macros.h"
#include "common/sql/sqlite.h"

namespace ntmis::sql {

absl::Status CopyDatabase(const std::string& from, const std::string& to) {
  // An empty file of our own, private from the start: VACUUM INTO fills an
  // empty file, and O_EXCL refuses one that exists.
  const int fd =
      ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return absl::AlreadyExistsError(
          absl::StrCat(to,
                       " already exists: a backup never "
                       "overwrites a file; choose a new name"));
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create ", to, ": ", std::strerror(errno)));
  }
  ::close(fd);
  absl::Status copied = [&]() -> absl::Status {
    OpenOptions options;
    options.read_only = true;  // a backup file given to restore stays as it is
    ASSIGN_OR_RETURN(Database db, Database::Open(from, options));
    RETURN_IF_ERROR(db.Exec(absl::StrCat(
        "VACUUM INTO '", absl::StrReplaceAll(to, {{"'", "''"}}), "'")));
    return CheckIntactDatabase(to);
  }();
  if (!copied.ok()) std::filesystem::remove(to);
  return copied;
}

absl::Status CheckIntactDatabase(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a file"));
  OpenOptions options;
  options.read_only = true;
  absl::StatusOr<std::string> check = [&]() -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(Database db, Database::Open(path, options));
    ASSIGN_OR_RETURN(Statement pragma, db.Prepare("PRAGMA integrity_check"));
    ASSIGN_OR_RETURN(bool row, pragma.Step());
    return row ? pragma.ColumnText(0) : std::string("no answer");
  }();
  if (!check.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is not an SQLite database (", check.status().message(), ")"));
  }
  if (*check != "ok")
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is damaged: ", *check));
  return absl::OkStatus();
}

absl::Status SwapInRestored(const std::string& incoming,
                            const std::string& live, const std::string& aside) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = live + suffix;
    if (!fs::exists(file, ec)) continue;
    fs::rename(file, aside + suffix, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot set ", file, " aside: ", ec.message(),
                       " (the restored copy is ", incoming, ")"));
    }
  }
  if (incoming.empty()) return absl::OkStatus();
  fs::rename(incoming, live, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot move ", incoming, " to ", live, ": ", ec.message(),
                     " (the old database is ", aside, ")"));
  }
  return absl::OkStatus();
}

}  // namespace ntmis::sql
