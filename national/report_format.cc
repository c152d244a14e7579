#include "national/report_format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv.h"
#include "google/protobuf/util/json_util.h"

namespace ntmis::national {
namespace {

using Table = std::vector<std::vector<std::string>>;

// Terminal columns taken by UTF-8 text: East Asian wide characters take two.
size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    uint32_t cp = c;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    if (len > 1 && i + len <= s.size()) {
      cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6);
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

// `right` marks numeric columns.
std::string Render(const Table& table, const std::vector<bool>& right, Format format) {
  std::string out;
  if (format == Format::kCsv) {
    for (const auto& row : table) AppendCsvLine(&out, row);
    return out;
  }
  std::vector<size_t> widths(table.empty() ? 0 : table[0].size(), 0);
  for (const auto& row : table)
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  for (size_t r = 0; r < table.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < table[r].size(); ++i) {
      std::string pad(widths[i] - DisplayWidth(table[r][i]), ' ');
      absl::StrAppend(&line, i ? "  " : "", right[i] ? pad : "", table[r][i],
                      right[i] ? "" : pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
    if (r == 0) {
      size_t total = 0;
      for (size_t w : widths) total += w;
      absl::StrAppend(&out, std::string(total + 2 * (widths.size() - 1), '-'), "\n");
    }
  }
  return out;
}

std::string Json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace

absl::StatusOr<Format> ParseFormat(const std::string& name) {
  if (name == "table" || name.empty()) return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format '", name, "'; allowed: table, csv, json"));
}

std::string FormatAggregate(const v1::AggregateResponse& response, Format format) {
  if (format == Format::kJson) return Json(response);
  Table table;
  std::vector<bool> right;
  std::vector<std::string> header;
  for (const auto& dim : response.group_by()) {
    header.push_back(dim);
    right.push_back(false);
    header.push_back(absl::StrCat(dim, "_name"));
    right.push_back(false);
  }
  header.push_back("teachers");
  header.push_back("share");
  right.push_back(true);
  right.push_back(true);
  table.push_back(header);
  auto share = [&](uint64_t n) {
    return response.total() == 0
               ? std::string("-")
               : absl::StrFormat("%.2f%%", 100.0 * n / response.total());
  };
  for (const auto& row : response.rows()) {
    std::vector<std::string> line;
    for (int i = 0; i < row.keys_size(); ++i) {
      line.push_back(row.keys(i));
      line.push_back(row.labels(i));
    }
    line.push_back(absl::StrCat(row.teachers()));
    line.push_back(share(row.teachers()));
    table.push_back(std::move(line));
  }
  std::vector<std::string> total(header.size(), "");
  total[0] = "total";
  total[header.size() - 2] = absl::StrCat(response.total());
  total[header.size() - 1] = share(response.total());
  table.push_back(std::move(total));
  return Render(table, right, format);
}

std::string FormatProvinces(const v1::ProvincesResponse& response, Format format,
                            int64_t now_unix) {
  if (format == Format::kJson) return Json(response);
  Table table = {{"province", "name", "records", "cursor", "behind", "held", "last_sync",
                  "rejected", "last_result"}};
  std::vector<bool> right = {false, false, true, true, true, true, true, true, false};
  for (const auto& p : response.provinces()) {
    std::string ago = p.last_sync_unix() == 0
                          ? "never"
                          : absl::StrCat(std::max<int64_t>(0, now_unix - p.last_sync_unix()),
                                         "s ago");
    table.push_back({p.province(), p.label(), absl::StrCat(p.records_held()),
                     absl::StrCat(p.applied_seq()), absl::StrCat(p.behind()),
                     absl::StrCat(p.held()), ago, absl::StrCat(p.rejected()),
                     p.last_result()});
  }
  return Render(table, right, format);
}

}  // namespace ntmis::national
