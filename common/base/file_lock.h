// An exclusive advisory lock on a file (flock), held for the lifetime of the
// object: one `serve` per database, one sync per province at a time. The
// lock ends when the process does, however it ends.
//
// Thread-compatible: move-only; the lock belongs to the open file, not to a
// thread.
#ifndef NTMIS_COMMON_BASE_FILE_LOCK_H_
#define NTMIS_COMMON_BASE_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace ntmis {

class FileLock {
 public:
  // Creates `path` (mode 0600) if needed and locks it without waiting.
  // ABORTED with `held_message` when another process holds it; NOT_FOUND or
  // PERMISSION_DENIED naming the path when it cannot be opened.
  static absl::StatusOr<FileLock> Acquire(const std::string& path,
                                          const std::string& held_message);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_FILE_LOCK_H_
