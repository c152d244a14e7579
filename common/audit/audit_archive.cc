#include "common/audit/audit_archive.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"

namespace ntmis {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "ntmis audit archive 1";
constexpr char kSuffix[] = ".ntmis-audit";

// Tab, newline, carriage return and '%' as %XX: one entry, one line.
std::string Escape(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (char c : field) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '%') {
      absl::StrAppend(
          &out, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool Unescape(absl::string_view field, std::string* out) {
  out->clear();
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out->push_back(field[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= field.size()) return false;
    if (!absl::SimpleHexAtoi(field.substr(i + 1, 2), &value)) return false;
    out->push_back(static_cast<char>(value));
    i += 2;
  }
  return true;
}

std::string FileName(uint64_t first, uint64_t last) {
  return absl::StrFormat("audit-%012d-%012d%s", first, last, kSuffix);
}

}  // namespace

AuditArchivePlan AuditArchivePlanFrom(const v1::AuditRetention& retention,
                                      const std::string& db_path) {
  AuditArchivePlan plan;
  plan.enabled = !retention.never_archive();
  plan.dir = retention.archive_dir().empty() ? db_path + ".audit-archive"
                                             : retention.archive_dir();
  if (retention.archive_after_days() > 0)
    plan.after =
        absl::Hours(24 * static_cast<int64_t>(retention.archive_after_days()));
  return plan;
}

absl::StatusOr<std::string> WriteAuditArchive(
    const std::string& dir, const AuditAnchor& key,
    const std::string& prev_hash,
    const std::vector<ChainedAuditEntry>& entries) {
  if (entries.empty())
    return absl::InvalidArgumentError("no entries to archive");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat(
        "cannot create the audit archive folder ", dir, ": ", ec.message()));
  ::chmod(dir.c_str(), 0700);
  std::string text = absl::StrCat(
      kMagic, "\nfirst ", entries.front().stored.id, "\nprev ",
      prev_hash.empty() ? "-" : crypto::HexEncode(prev_hash), "\n");
  for (const ChainedAuditEntry& e : entries) {
    const AuditEntry& a = e.stored.entry;
    absl::StrAppend(&text, e.stored.id, "\t", e.stored.at_unix, "\t",
                    Escape(a.actor), "\t", Escape(a.action), "\t",
                    Escape(a.target), "\t", Escape(a.result), "\t",
                    Escape(a.detail), "\t", crypto::HexEncode(e.hash), "\n");
  }
  absl::StrAppend(&text, "last ", entries.back().stored.id, "\nhash ",
                  crypto::HexEncode(entries.back().hash), "\n");
  absl::StrAppend(&text, "mac ", key.MacOf(text), "\n");
  const std::string path = absl::StrCat(
      dir, "/", FileName(entries.front().stored.id, entries.back().stored.id));
  RETURN_IF_ERROR(ReplaceFile(path, text));
  return path;
}

absl::StatusOr<std::vector<AuditArchiveFile>> ListAuditArchives(
    const std::string& dir) {
  std::vector<AuditArchiveFile> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    uint64_t first = 0, last = 0;
    if (name.size() != FileName(0, 0).size() || name.rfind("audit-", 0) != 0 ||
        !absl::EndsWith(name, kSuffix) ||
        !absl::SimpleAtoi(name.substr(6, 12), &first) ||
        !absl::SimpleAtoi(name.substr(19, 12), &last)) {
      continue;
    }
    AuditArchiveFile f;
    f.path = e.path().string();
    f.first = first;
    f.last = last;
    files.push_back(std::move(f));
  }
  if (ec)
    return absl::InternalError(
        absl::StrCat("cannot list ", dir, ": ", ec.message()));
  std::sort(files.begin(), files.end(),
            [](const AuditArchiveFile& a, const AuditArchiveFile& b) {
              return a.first < b.first;
            });
  return files;
}

absl::StatusOr<AuditArchiveFile> ReadAuditArchive(
    const std::string& path, const AuditAnchor& key,
    const std::function<void()>& on_entry) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat("cannot read the audit archive ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  auto broken = [&path](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("audit archive ", path, ": ", why));
  };
  // The MAC covers everything before its own line.
  const size_t mac_at = text.rfind("mac ");
  if (mac_at == std::string::npos || (mac_at > 0 && text[mac_at - 1] != '\n'))
    return broken("has no MAC line (cut short?)");
  std::string mac = text.substr(mac_at + 4);
  while (!mac.empty() && mac.back() == '\n') mac.pop_back();
  if (!crypto::ConstantTimeEquals(
          mac, key.MacOf(absl::string_view(text).substr(0, mac_at))))
    return broken("does not match the audit key (edited, or another node's)");

  AuditArchiveFile file;
  file.path = path;
  std::vector<absl::string_view> lines = absl::StrSplit(
      absl::string_view(text).substr(0, mac_at), '\n', absl::SkipEmpty());
  if (lines.size() < 5 || lines[0] != kMagic)
    return broken("is not an audit archive");
  auto field = [&](absl::string_view line, absl::string_view name,
                   absl::string_view* value) -> bool {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, " "))
      return false;
    *value = line;
    return true;
  };
  absl::string_view v;
  if (!field(lines[1], "first", &v) || !absl::SimpleAtoi(v, &file.first))
    return broken("line 2 is not its first entry");
  if (!field(lines[2], "prev", &v))
    return broken("line 3 is not the hash before it");
  if (v != "-") {
    absl::StatusOr<std::string> prev = crypto::HexDecode(v);
    if (!prev.ok()) return broken("line 3 is not a hash");
    file.prev_hash = *std::move(prev);
  }
  std::string prev = file.prev_hash;
  uint64_t expected = file.first;
  for (size_t i = 3; i + 2 < lines.size(); ++i) {
    std::vector<absl::string_view> cols = absl::StrSplit(lines[i], '\t');
    StoredAuditEntry e;
    std::string stored_hash;
    const bool parsed = cols.size() == 8 && absl::SimpleAtoi(cols[0], &e.id) &&
                        absl::SimpleAtoi(cols[1], &e.at_unix) &&
                        Unescape(cols[2], &e.entry.actor) &&
                        Unescape(cols[3], &e.entry.action) &&
                        Unescape(cols[4], &e.entry.target) &&
                        Unescape(cols[5], &e.entry.result) &&
                        Unescape(cols[6], &e.entry.detail);
    absl::StatusOr<std::string> hash =
        parsed ? crypto::HexDecode(cols[7])
               : absl::StatusOr<std::string>(absl::DataLossError(""));
    if (!hash.ok())
      return broken(absl::StrCat("line ", i + 1, " is not an entry"));
    if (e.id != expected)
      return broken(absl::StrCat("entry ", expected, " is missing"));
    std::string computed =
        AuditChainHash(prev, static_cast<int64_t>(e.id), e.at_unix, e.entry);
    if (computed != *hash)
      return broken(absl::StrCat("chain broken at entry ", e.id));
    if (e.id == file.first) file.first_at_unix = e.at_unix;
    file.last_at_unix = e.at_unix;
    prev = std::move(computed);
    ++expected;
    if (on_entry) on_entry();
  }
  if (!field(lines[lines.size() - 2], "last", &v) ||
      !absl::SimpleAtoi(v, &file.last) || file.last + 1 != expected) {
    return broken("its last entry does not match its entries");
  }
  if (!field(lines.back(), "hash", &v) || crypto::HexEncode(prev) != v)
    return broken("its last hash does not match its entries");
  file.last_hash = prev;
  return file;
}

}  // namespace ntmis
