#include "common/base/writable_path.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/base/exit_code.h"

namespace ntmis {
namespace fs = std::filesystem;

absl::Status CheckWritableDirectory(const std::string& dir,
                                    const std::string& what, bool create) {
  auto unusable = [&](absl::string_view why) {
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(what, " ", dir, " ", why)),
        ExitCode::kDataUnusable);
  };
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (!create)
      return unusable("does not exist — create it or fix the configuration");
    fs::create_directories(dir, ec);
    // Created for the node's data: its user's only.
    if (!ec)
      fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return unusable(
          absl::StrCat("does not exist and cannot be created (", ec.message(),
                       ") — create it, writable by this node's user"));
    }
  }
  if (!fs::is_directory(dir, ec))
    return unusable("is not a directory — fix the configuration");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return unusable(absl::StrCat(
        "is not writable by this node's user (", std::strerror(errno),
        ") — give the node's user write access to it"));
  }
  return absl::OkStatus();
}

absl::Status CheckWritableFile(const std::string& path,
                               const std::string& what) {
  auto cannot = [&](absl::string_view why) {
    return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                            "cannot write ", what, " ", path, ": ", why)),
                        ExitCode::kUsage);
  };
  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (fs::is_directory(path, ec)) return cannot("it is a directory");
    if (::access(path.c_str(), W_OK) != 0) return cannot(std::strerror(errno));
    return absl::OkStatus();
  }
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec))
    return cannot("its directory does not exist");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return cannot(std::strerror(errno));
  return absl::OkStatus();
}

absl::Status ReplaceFile(const std::string& path, std::string_view contents) {
  static std::atomic<uint64_t> serial{0};
  const std::string temporary =
      absl::StrCat(path, ".", ::getpid(), ".", serial.fetch_add(1), ".tmp");
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return absl::InternalError(
        absl::StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  // On disk before the rename: whoever reads the name finds the contents,
  // even after a power cut (an archive is trusted before entries are deleted).
  const bool written = ::write(fd, contents.data(), contents.size()) ==
                           static_cast<ssize_t>(contents.size()) &&
                       ::fdatasync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

absl::Status WriteAddressFile(const std::string& path,
                              const std::string& address) {
  absl::Status written = ReplaceFile(path, address + "\n");
  if (!written.ok())
    return WithExitCode(
        absl::InvalidArgumentError(absl::StrCat(
            "cannot write the address file ", path, ": ", written.message())),
        ExitCode::kUsage);
  return absl::OkStatus();
}

}  // namespace ntmis
