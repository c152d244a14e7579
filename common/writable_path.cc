#include "common/writable_path.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/exit_code.h"

namespace ntmis {
namespace fs = std::filesystem;

absl::Status CheckWritableDirectory(const std::string& dir, const std::string& what,
                                    bool create) {
  auto unusable = [&](absl::string_view why) {
    return WithExitCode(absl::FailedPreconditionError(absl::StrCat(what, " ", dir, " ", why)),
                        ExitCode::kDataUnusable);
  };
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (!create) return unusable("does not exist — create it or fix the configuration");
    fs::create_directories(dir, ec);
    // Created for the node's data: its user's only.
    if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return unusable(absl::StrCat("does not exist and cannot be created (", ec.message(),
                                   ") — create it, writable by this node's user"));
    }
  }
  if (!fs::is_directory(dir, ec)) return unusable("is not a directory — fix the configuration");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return unusable(absl::StrCat("is not writable by this node's user (", std::strerror(errno),
                                 ") — give the node's user write access to it"));
  }
  return absl::OkStatus();
}

absl::Status CheckWritableFile(const std::string& path, const std::string& what) {
  auto cannot = [&](absl::string_view why) {
    return WithExitCode(
        absl::InvalidArgumentError(absl::StrCat("cannot write ", what, " ", path, ": ", why)),
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
  if (!fs::is_directory(parent, ec)) return cannot("its directory does not exist");
  if (::access(parent.c_str(), W_OK | X_OK) != 0) return cannot(std::strerror(errno));
  return absl::OkStatus();
}

absl::Status WriteAddressFile(const std::string& path, const std::string& address) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << address << "\n";
    out.close();
    if (!out) {
      return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                              "cannot write the address file ", temporary, ": ",
                              std::strerror(errno))),
                          ExitCode::kUsage);
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                            "cannot write the address file ", path, ": ", ec.message())),
                        ExitCode::kUsage);
  }
  return absl::OkStatus();
}

}  // namespace ntmis
