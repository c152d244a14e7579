#include "national/rollup/dimensions.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "national/rollup/age_bands.h"

namespace ntmis::national {
namespace {

using R = v1::TeacherRecord;

int64_t TwoDigits(const std::string& s, size_t at) {
  return s.size() >= at + 2 ? (s[at] - '0') * 10 + (s[at + 1] - '0') : 0;
}

// Bit fields, low to high, with room for codes the tables may gain.
std::vector<Dimension> Build() {
  using K = Dimension::Kind;
  std::vector<Dimension> dims = {
      {"province", "省份", K::kProvince, &CodeTable::Of<v1::Province>(), 0, 0,
       [](const R& r) -> int64_t { return r.province(); }},
      {"city", "地市", K::kUnit, nullptr, 0, 7,
       [](const R& r) { return TwoDigits(r.city_code(), 2); }},
      // County spans its city's field too: city << 7 | county.
      {"county", "区县", K::kUnit, nullptr, 0, 14,
       [](const R& r) {
         return TwoDigits(r.county_code(), 2) << 7 |
                TwoDigits(r.county_code(), 4);
       }},
      {"school_category", "学校类别", K::kCode,
       &CodeTable::Of<v1::SchoolCategory>(), 0, 4,
       [](const R& r) -> int64_t { return r.school_category(); }},
      {"gender", "性别", K::kCode, &CodeTable::Of<v1::Gender>(), 0, 2,
       [](const R& r) -> int64_t { return r.gender(); }},
      {"age_band", "年龄段", K::kAgeBand, nullptr, 0, 7,
       [](const R& r) { return BirthCohort(r.birth_date()); }},
      {"ethnicity", "民族", K::kCode, &CodeTable::Of<v1::Ethnicity>(), 0, 7,
       [](const R& r) -> int64_t { return r.ethnicity(); }},
      {"education", "最高学历", K::kCode, &CodeTable::Of<v1::Education>(), 0, 7,
       [](const R& r) -> int64_t { return r.education(); }},
      {"degree", "最高学位", K::kCode, &CodeTable::Of<v1::Degree>(), 0, 4,
       [](const R& r) -> int64_t { return r.degree(); }},
      {"title", "专业技术职务", K::kCode, &CodeTable::Of<v1::TitleLevel>(), 0,
       4, [](const R& r) -> int64_t { return r.title(); }},
      {"post_type", "岗位类别", K::kCode, &CodeTable::Of<v1::PostType>(), 0, 4,
       [](const R& r) -> int64_t { return r.post_type(); }},
      {"status", "在岗状态", K::kCode, &CodeTable::Of<v1::InServiceStatus>(), 0,
       4, [](const R& r) -> int64_t { return r.status(); }},
      {"employment_type", "用人形式", K::kCode,
       &CodeTable::Of<v1::EmploymentType>(), 0, 4,
       [](const R& r) -> int64_t { return r.employment_type(); }},
  };

  // Lay the fields out from the top: county's field (14 bits) ends where
  // city's (7 bits) ends, so city is county's upper half.
  int next = 0;
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
    if (!it->in_cell() || it->name == "city") continue;
    it->shift = next;
    next += it->bits;
  }
  for (auto& d : dims)
    if (d.name == "city") {
      for (const auto& c : dims)
        if (c.name == "county") d.shift = c.shift + 7;
    }
  // Every code must fit its field; a table that outgrows one needs a new
  // rollup layout (and a migration), so fail loudly.
  for (const auto& d : dims) {
    if (d.kind != Dimension::Kind::kCode) continue;
    for (int v : d.table->values())
      if (v > d.mask()) std::abort();
  }
  return dims;
}

}  // namespace

const std::vector<Dimension>& Dimensions() {
  static const auto* dims = new std::vector<Dimension>(Build());
  return *dims;
}

absl::StatusOr<const Dimension*> FindDimension(const std::string& name) {
  for (const auto& d : Dimensions())
    if (d.name == name) return &d;
  std::vector<std::string> names;
  for (const auto& d : Dimensions()) names.push_back(d.name);
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown dimension '", name, "'; allowed: ", absl::StrJoin(names, ", ")));
}

int64_t CellOf(const v1::TeacherRecord& record) {
  int64_t cell = 0;
  for (const auto& d : Dimensions()) {
    if (d.in_cell() && d.name != "city")
      cell |= (d.value(record) & d.mask()) << d.shift;
  }
  return cell;
}

absl::StatusOr<int64_t> ParseDimensionValue(const Dimension& d,
                                            const std::string& text) {
  if (d.kind == Dimension::Kind::kAgeBand) {
    auto band = ParseAgeBand(text);
    if (!band.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", band.status().message()));
    return *band;
  }
  if (d.table != nullptr) {
    auto code = d.table->Parse(text);
    if (!code.ok())
      return absl::InvalidArgumentError(absl::StrCat(
          "filter ", d.name, "=", text, ": ", code.status().message()));
    return *code;
  }
  size_t digits = d.name == "city" ? 4 : 6;
  bool ok = text.size() == digits;
  for (char c : text) ok = ok && absl::ascii_isdigit(c);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("filter ", d.name, "=", text,
                                                   ": a ", d.name, " code has ",
                                                   digits, " digits"));
  }
  return d.name == "city" ? TwoDigits(text, 2)
                          : TwoDigits(text, 2) << 7 | TwoDigits(text, 4);
}

std::string DimensionCode(const Dimension& d, int64_t value,
                          const std::string& province) {
  if (d.kind == Dimension::Kind::kAgeBand)
    return AgeBandCode(static_cast<int>(value));
  if (d.table != nullptr) return d.table->Code(static_cast<int>(value));
  auto two = [](int64_t v) { return absl::StrCat(v / 10, v % 10); };
  if (d.name == "city") return absl::StrCat(province, two(value));
  return absl::StrCat(province, two(value >> 7), two(value & 127));
}

std::string DimensionLabel(const Dimension& d, int64_t value) {
  if (d.kind == Dimension::Kind::kAgeBand)
    return AgeBandLabel(static_cast<int>(value));
  return d.table != nullptr ? d.table->Label(static_cast<int>(value))
                            : std::string();
}

}  // namespace ntmis::national
