#include "national/query/aggregator.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "national/rollup/age_bands.h"
#include "national/rollup/group_keys.h"

namespace ntmis::national {
namespace {

using Kind = Dimension::Kind;

CellField FieldOf(const Dimension& d) { return {d.shift, d.mask()}; }

// A filter on cell field values of `d` admitting `values` (for age_band:
// the cohorts whose band on the reference year is one of `values`).
CellFilter CellFilterOf(const Dimension& d, const std::vector<int64_t>& values,
                        int reference_year) {
  CellFilter filter{FieldOf(d), std::vector<uint8_t>(d.mask() + 1, 0)};
  if (d.kind == Kind::kAgeBand) {
    for (int64_t cohort = 0; cohort <= d.mask(); ++cohort) {
      int band = AgeBandOf(cohort, reference_year);
      filter.allowed[cohort] =
          std::find(values.begin(), values.end(), band) != values.end();
    }
  } else {
    for (int64_t v : values) filter.allowed[v & d.mask()] = 1;
  }
  return filter;
}

// Writes group dimension `i` of `rows` (sorted answer rows) as a column:
// each distinct value's code and label once, in order of first use, and
// every row's index into them.
void WriteColumn(const GroupKeys& keys, size_t i,
                 const std::vector<std::pair<uint64_t, uint64_t>>& rows,
                 const DivisionNames& places, v1::AggregateColumn* column) {
  const Dimension& d = keys.dimension(i);
  column->set_dimension(d.name);
  auto* indexes = column->mutable_rows();
  indexes->Reserve(static_cast<int>(rows.size()));
  // Ordinal -> index into codes: a table where ordinals are few (codes,
  // bands, provinces, cities), a hash map for counties.
  constexpr uint32_t kNone = ~uint32_t{0};
  constexpr int kDenseBits = 16;
  const bool dense = keys.width(i) <= kDenseBits;
  std::vector<uint32_t> table(dense ? size_t{1} << keys.width(i) : 0, kNone);
  absl::flat_hash_map<uint32_t, uint32_t> map;
  uint32_t last_ordinal = kNone, last_index = 0;
  for (const auto& row : rows) {
    const GroupKeys::Value v = keys.ValueOf(row.first, i);
    if (v.ordinal != last_ordinal) {
      uint32_t& index = dense ? table[v.ordinal]
                              : map.try_emplace(v.ordinal, kNone).first->second;
      if (index == kNone) {
        index = static_cast<uint32_t>(column->codes_size());
        const std::string province =
            v.province ? CodeTable::Of<v1::Province>().Code(v.province) : "";
        std::string code = DimensionCode(d, v.value, province);
        std::string label = d.kind == Dimension::Kind::kUnit
                                ? places.Name(code)
                                : DimensionLabel(d, v.value);
        column->add_labels(label.empty() ? code : std::move(label));
        column->add_codes(std::move(code));
      }
      last_ordinal = v.ordinal;
      last_index = index;
    }
    indexes->AddAlreadyReserved(last_index);
  }
}

}  // namespace

absl::StatusOr<v1::AggregateResponse> Aggregate(
    NationalStore& store, const v1::AggregateRequest& request,
    const Date& today) {
  if (static_cast<size_t>(request.group_by_size()) > kMaxGroupBy) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxGroupBy, " dimensions, got ", request.group_by_size()));
  }
  ASSIGN_OR_RETURN(const int reference_year,
                   ReferenceYear(request.age_reference(), today));
  std::vector<const Dimension*> group_by;  // as asked
  CubeQuery common;  // what every province's cube is asked
  for (const std::string& name : request.group_by()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(name));
    if (std::find(group_by.begin(), group_by.end(), d) != group_by.end())
      return absl::InvalidArgumentError(absl::StrCat(name, " is named twice"));
    group_by.push_back(d);
    if (d->in_cell()) common.group_by.push_back(FieldOf(*d));
  }

  // Provinces to read: all, narrowed by a province filter and by the
  // province part of city and county codes. Code-table and age filters
  // apply to every province alike; a city or county code names its
  // province, so those filters are kept per province.
  const CodeTable& province_table = CodeTable::Of<v1::Province>();
  std::set<std::string> provinces;
  for (int code : province_table.values())
    provinces.insert(province_table.Code(code));
  std::vector<std::map<std::string, CellFilter>> unit_filters;
  for (const v1::Filter& f : request.where()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(f.dimension()));
    if (f.values().empty())
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", d->name, " has no value"));
    std::vector<int64_t> values;
    std::map<std::string, std::vector<int64_t>> unit_values;  // by province
    for (const std::string& text : f.values()) {
      ASSIGN_OR_RETURN(int64_t value, ParseDimensionValue(*d, text));
      values.push_back(value);
      if (d->kind == Kind::kUnit)
        unit_values[text.substr(0, 2)].push_back(value);
    }
    if (d->kind == Kind::kCode || d->kind == Kind::kAgeBand) {
      common.where.push_back(CellFilterOf(*d, values, reference_year));
      continue;
    }
    std::set<std::string> kept;
    for (const auto& p : provinces) {
      bool admitted = d->kind == Kind::kUnit
                          ? unit_values.count(p) > 0
                          : std::find(values.begin(), values.end(),
                                      std::stoi(p)) != values.end();
      if (admitted) kept.insert(p);
    }
    provinces.swap(kept);
    if (d->kind == Kind::kUnit) {
      std::map<std::string, CellFilter> per_province;
      for (const auto& [p, v] : unit_values)
        per_province.emplace(p, CellFilterOf(*d, v, 0));
      unit_filters.push_back(std::move(per_province));
    }
  }

  // Rows are (key, teachers) pairs (national/rollup/group_keys.h): rows of
  // different provinces never share a key when a province or unit is
  // grouped, so those are only appended; otherwise, and where a province's
  // cohorts fold into age bands, they are merged on their keys first.
  const GroupKeys keys(group_by, reference_year);
  std::vector<std::pair<uint64_t, uint64_t>> rows;
  absl::flat_hash_map<uint64_t, uint64_t> merged;
  auto take_merged = [&] {
    rows.insert(rows.end(), merged.begin(), merged.end());
    merged.clear();
  };
  const bool merge = !keys.by_province() || keys.folds_ages();
  CubeCounts counts;
  for (const std::string& province : provinces) {
    auto db = store.Province(province, /*create=*/false);
    if (absl::IsNotFound(db.status())) continue;
    if (!db.ok()) return db.status();
    CubeQuery query = common;
    for (const auto& by_p : unit_filters)
      query.where.push_back(by_p.at(province));
    const size_t expected = counts.size();
    counts.clear();
    counts.reserve(expected);  // clear() drops a large table's slots
    (*db)->Count(query, counts);
    const int p = std::stoi(province);
    for (const auto& [cube_key, teachers] : counts) {
      const uint64_t key = keys.Of(p, cube_key);
      if (merge) {
        merged[key] += teachers;
      } else {
        rows.emplace_back(key, teachers);
      }
    }
    if (merge && keys.by_province()) take_merged();
  }
  if (merge) take_merged();
  SortByKey(rows, keys.bits());
  if (!unit_filters.empty()) {
    // The same panel is asked of other cities and counties next.
    CubeQuery shape = common;
    for (const auto& by_p : unit_filters)
      shape.where.push_back(by_p.begin()->second);
    std::vector<std::string> others;
    for (int code : province_table.values())
      if (provinces.count(province_table.Code(code)) == 0)
        others.push_back(province_table.Code(code));
    store.view_warmer().Warm(shape, others);
  }

  v1::AggregateResponse response;
  for (const Dimension* d : group_by) response.add_group_by(d->name);
  response.set_age_reference_date(
      Date{reference_year, kStatisticsMonth, kStatisticsDay}.ToString());
  // Column-wise: each distinct value's code and label are made once, and a
  // row is an index per dimension and a count.
  uint64_t total = 0;
  response.mutable_teachers()->Reserve(static_cast<int>(rows.size()));
  for (size_t i = 0; i < group_by.size(); ++i)
    WriteColumn(keys, i, rows, store.divisions(), response.add_columns());
  for (const auto& row : rows) {
    response.mutable_teachers()->AddAlreadyReserved(row.second);
    total += row.second;
  }
  response.set_total(total);
  return response;
}

v1::ListDimensionsResponse DescribeDimensions(const Date& today) {
  v1::ListDimensionsResponse out;
  for (const Dimension& d : Dimensions()) {
    v1::DimensionInfo* info = out.add_dimensions();
    info->set_name(d.name);
    info->set_label(d.label);
    if (d.kind == Dimension::Kind::kAgeBand) {
      for (int band = 0; band < kAgeBands; ++band) {
        v1::DimensionValue* v = info->add_values();
        v->set_code(AgeBandCode(band));
        v->set_label(AgeBandLabel(band));
      }
    } else if (d.table != nullptr) {
      for (int code : d.table->values()) {
        v1::DimensionValue* v = info->add_values();
        v->set_code(d.table->Code(code));
        v->set_label(d.table->Label(code));
      }
    }
  }
  const int latest = *ReferenceYear("", today);
  out.set_default_reference_year(latest);
  for (int year = latest; year > latest - 10; --year)
    out.add_reference_years(year);
  return out;
}

}  // namespace ntmis::national
