#include "common/audit/audit_anchor.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"

namespace ntmis {
namespace {

// The file's suffix and first line.
std::pair<const char*, const char*> Kind(AuditMarkFile which) {
  switch (which) {
    case AuditMarkFile::kVerified:
      return {".audit-verified", "ntmis audit verified 1"};
    case AuditMarkFile::kArchivedBase:
      return {".audit-base", "ntmis audit archived base 1"};
    case AuditMarkFile::kAnchor:
      break;
  }
  return {".audit-anchor", "ntmis audit anchor 1"};
}

}  // namespace

AuditAnchor::AuditAnchor(std::string db_path, AuditMarkFile which,
                         std::string key, bool created)
    : db_path_(std::move(db_path)),
      which_(which),
      magic_(Kind(which).second),
      path_(db_path_ + Kind(which).first),
      key_(std::move(key)),
      created_key_(created) {}

AuditAnchor AuditAnchor::Sibling(AuditMarkFile which) const {
  return AuditAnchor(db_path_, which, key_, false);
}

std::string AuditAnchor::MacOf(absl::string_view data) const {
  return crypto::HexEncode(crypto::HmacSha256(key_, data));
}

absl::StatusOr<AuditAnchor> AuditAnchor::Open(const std::string& db_path,
                                              AuditMarkFile which) {
  const std::string key_path = db_path + ".audit-key";
  bool created = false;
  absl::StatusOr<std::string> key = crypto::ReadKeyFile(key_path);
  if (absl::IsNotFound(key.status())) {
    absl::Status made = crypto::CreateKeyFile(key_path);
    if (!made.ok() && !absl::IsAlreadyExists(made))
      return made;  // another process won the race
    created = made.ok();
    key = crypto::ReadKeyFile(key_path);
  }
  if (!key.ok()) return key.status();
  return AuditAnchor(db_path, which, *std::move(key), created);
}

std::string AuditAnchor::Mac(const AuditHead& head) const {
  // The anchor's MAC is as it always was; the other files' cover the mark.
  const std::string mark =
      which_ == AuditMarkFile::kAnchor ? "" : absl::StrCat("|", head.mark);
  return crypto::HexEncode(crypto::HmacSha256(
      key_,
      absl::StrCat(magic_, "|", head.count, "|", crypto::HexEncode(head.hash),
                   "|", head.at_unix, mark)));
}

absl::Status AuditAnchor::Write(const AuditHead& head) const {
  const std::string mark = which_ == AuditMarkFile::kAnchor
                               ? ""
                               : absl::StrCat("\nmark ", head.mark);
  return ReplaceFile(
      path_, absl::StrCat(magic_, "\ncount ", head.count, "\nhead ",
                          crypto::HexEncode(head.hash), "\nat ", head.at_unix,
                          mark, "\nmac ", Mac(head), "\n"));
}

absl::StatusOr<std::optional<AuditHead>> AuditAnchor::Read() const {
  std::ifstream in(path_);
  if (!in) {
    if (errno == ENOENT) return std::optional<AuditHead>();
    return absl::InternalError(
        absl::StrCat("cannot read the audit anchor ", path_));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::vector<std::string> lines =
      absl::StrSplit(buffer.str(), '\n', absl::SkipEmpty());
  auto not_an_anchor = [this](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("the audit anchor ", path_, " ", why));
  };
  const size_t expected = which_ == AuditMarkFile::kAnchor ? 5 : 6;
  if (lines.size() != expected || lines[0] != magic_)
    return not_an_anchor("is not an anchor file");
  AuditHead head;
  std::string mac;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<std::string, std::string> field =
        absl::StrSplit(lines[i], absl::MaxSplits(' ', 1));
    bool ok = true;
    if (field.first == "count") {
      ok = absl::SimpleAtoi(field.second, &head.count);
    } else if (field.first == "head") {
      absl::StatusOr<std::string> hash = crypto::HexDecode(field.second);
      ok = hash.ok();
      if (ok) head.hash = *std::move(hash);
    } else if (field.first == "at") {
      ok = absl::SimpleAtoi(field.second, &head.at_unix);
    } else if (field.first == "mark" && which_ != AuditMarkFile::kAnchor) {
      ok = absl::SimpleAtoi(field.second, &head.mark);
    } else if (field.first == "mac") {
      mac = field.second;
    } else {
      ok = false;
    }
    if (!ok) return not_an_anchor(absl::StrCat("has a bad line ", i + 1));
  }
  if (mac.empty() || !crypto::ConstantTimeEquals(mac, Mac(head))) {
    return not_an_anchor(
        "does not match its key (edited, or written with another key)");
  }
  return std::optional<AuditHead>(std::move(head));
}

}  // namespace ntmis
