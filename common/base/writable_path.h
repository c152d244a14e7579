// Start-up checks of the files a node writes: its data directory and the
// files it is told to write (address files), so that a node that could not
// write them fails before it serves, with a message that names the path.
#ifndef NTMIS_COMMON_BASE_WRITABLE_PATH_H_
#define NTMIS_COMMON_BASE_WRITABLE_PATH_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace ntmis {

// OK if `dir` is a directory this process may create files in. With
// `create`, a missing directory is created (with its parents). The error
// (exit code kDataUnusable) names `what`, the path and the fix.
absl::Status CheckWritableDirectory(const std::string& dir,
                                    const std::string& what, bool create);

// OK if `path` can be written: it is a writable file, or it is missing and
// its directory is writable. Writes nothing. INVALID_ARGUMENT (exit code
// kUsage) naming `what` otherwise.
absl::Status CheckWritableFile(const std::string& path,
                               const std::string& what);

// Replaces `path` with `contents` (mode 0600, flushed to disk) through a
// private temporary file renamed into place, so a reader, in this process or
// another, sees the old file or the new one, never half of one. INTERNAL naming
// the path if it cannot.
absl::Status ReplaceFile(const std::string& path, std::string_view contents);

// Writes "address\n" to `path` through a temporary file renamed into
// place, so a reader never sees half an address. INVALID_ARGUMENT (exit
// code kUsage) naming the path if it cannot.
absl::Status WriteAddressFile(const std::string& path,
                              const std::string& address);

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_WRITABLE_PATH_H_
