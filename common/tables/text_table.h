// Aligned text tables for operators' terminals (East Asian wide characters
// take two columns), or the same rows as CSV.
#ifndef NTMIS_COMMON_TABLES_TEXT_TABLE_H_
#define NTMIS_COMMON_TABLES_TEXT_TABLE_H_

#include <cstddef>
#include <string>
#include <vector>

namespace ntmis {

using TextTable = std::vector<std::vector<std::string>>;

// Terminal columns taken by UTF-8 text.
size_t DisplayWidth(const std::string& s);

// The first row is the header, underlined. `right` marks right-aligned
// (numeric) columns; missing entries are left-aligned. With `csv`, RFC 4180
// lines instead.
std::string RenderTable(const TextTable& table, const std::vector<bool>& right,
                        bool csv);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_TEXT_TABLE_H_
