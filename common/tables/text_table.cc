#include "common/tables/text_table.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/tables/csv.h"

namespace ntmis {

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
    bool wide =
        (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6);
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

std::string RenderTable(const TextTable& table, const std::vector<bool>& right,
                        bool csv) {
  std::string out;
  if (csv) {
    for (const auto& row : table) AppendCsvLine(&out, row);
    return out;
  }
  std::vector<size_t> widths;
  for (const auto& row : table) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  for (size_t r = 0; r < table.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < table[r].size(); ++i) {
      std::string pad(widths[i] - DisplayWidth(table[r][i]), ' ');
      const bool align_right = i < right.size() && right[i];
      absl::StrAppend(&line, i ? "  " : "", align_right ? pad : "", table[r][i],
                      align_right ? "" : pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
    if (r == 0) {
      size_t total = 0;
      for (size_t w : widths) total += w;
      absl::StrAppend(&out, std::string(total + 2 * (widths.size() - 1), '-'),
                      "\n");
    }
  }
  return out;
}

}  // namespace ntmis
