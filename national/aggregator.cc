#include "national/aggregator.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "national/age_bands.h"

namespace ntmis::national {
namespace {

using Kind = Dimension::Kind;

CellField FieldOf(const Dimension& d) { return {d.shift, d.mask()}; }

// A filter on cell field values of `d` admitting `values` (for age_band:
// the cohorts whose band on the reference year is one of `values`).
CellFilter CellFilterOf(const Dimension& d, const std::vector<int64_t>& values,
                        int reference_year) {
  CellFilter filter{FieldOf(d), std::vector<bool>(d.mask() + 1, false)};
  if (d.kind == Kind::kAgeBand) {
    for (int64_t cohort = 0; cohort <= d.mask(); ++cohort) {
      int band = AgeBandOf(cohort, reference_year);
      filter.allowed[cohort] = std::find(values.begin(), values.end(), band) != values.end();
    }
  } else {
    for (int64_t v : values) filter.allowed[v & d.mask()] = true;
  }
  return filter;
}

}  // namespace

absl::StatusOr<v1::AggregateResponse> Aggregate(NationalStore& store,
                                                const v1::AggregateRequest& request,
                                                const Date& today) {
  if (static_cast<size_t>(request.group_by_size()) > kMaxGroupBy) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxGroupBy, " dimensions, got ", request.group_by_size()));
  }
  ASSIGN_OR_RETURN(const int reference_year, ReferenceYear(request.age_reference(), today));
  std::vector<const Dimension*> group_by;  // as asked
  CubeQuery common;                        // what every province's cube is asked
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
  for (int code : province_table.values()) provinces.insert(province_table.Code(code));
  std::vector<std::map<std::string, CellFilter>> unit_filters;
  for (const v1::Filter& f : request.where()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(f.dimension()));
    if (f.values().empty())
      return absl::InvalidArgumentError(absl::StrCat("filter ", d->name, " has no value"));
    std::vector<int64_t> values;
    std::map<std::string, std::vector<int64_t>> unit_values;  // by province
    for (const std::string& text : f.values()) {
      ASSIGN_OR_RETURN(int64_t value, ParseDimensionValue(*d, text));
      values.push_back(value);
      if (d->kind == Kind::kUnit) unit_values[text.substr(0, 2)].push_back(value);
    }
    if (d->kind == Kind::kCode || d->kind == Kind::kAgeBand) {
      common.where.push_back(CellFilterOf(*d, values, reference_year));
      continue;
    }
    std::set<std::string> kept;
    for (const auto& p : provinces) {
      bool admitted = d->kind == Kind::kUnit
                          ? unit_values.count(p) > 0
                          : std::find(values.begin(), values.end(), std::stoi(p)) != values.end();
      if (admitted) kept.insert(p);
    }
    provinces.swap(kept);
    if (d->kind == Kind::kUnit) {
      std::map<std::string, CellFilter> per_province;
      for (const auto& [p, v] : unit_values) per_province.emplace(p, CellFilterOf(*d, v, 0));
      unit_filters.push_back(std::move(per_province));
    }
  }

  // Groups are merged on integer keys (the province, when a grouped
  // dimension needs it, and the group values with ages as bands); codes and
  // labels are made once per answer row.
  const bool by_province = std::any_of(group_by.begin(), group_by.end(), [](const Dimension* d) {
    return d->kind == Kind::kProvince || d->kind == Kind::kUnit;
  });
  const bool has_age = std::any_of(group_by.begin(), group_by.end(),
                                   [](const Dimension* d) { return d->kind == Kind::kAgeBand; });
  absl::flat_hash_map<std::pair<int, uint64_t>, uint64_t> groups;
  CubeCounts counts;
  for (const std::string& province : provinces) {
    auto db = store.Province(province, /*create=*/false);
    if (absl::IsNotFound(db.status())) continue;
    if (!db.ok()) return db.status();
    CubeQuery query = common;
    for (const auto& by_p : unit_filters) query.where.push_back(by_p.at(province));
    counts.clear();
    (*db)->Count(query, counts);
    const int p = by_province ? std::stoi(province) : 0;
    for (const auto& [key, teachers] : counts) {
      uint64_t merged = key;
      if (has_age) {
        std::vector<int64_t> values = RollupCube::UnpackKey(key, query.group_by.size());
        size_t k = 0;
        for (const Dimension* d : group_by) {
          if (!d->in_cell()) continue;
          if (d->kind == Kind::kAgeBand) values[k] = AgeBandOf(values[k], reference_year);
          ++k;
        }
        merged = RollupCube::PackKey(values);
      }
      groups[{p, merged}] += teachers;
    }
  }

  // Rows in code order: codes are fixed-width digits (units led by their
  // province) and bands sort as their codes do, so ordering the values
  // (units after their province) orders the codes.
  struct Row {
    std::array<int64_t, kMaxGroupBy> order;
    std::array<int64_t, kMaxGroupBy> values;  // per group dimension
    int province;
    uint64_t teachers;
  };
  std::vector<Row> rows;
  rows.reserve(groups.size());
  const size_t fields = common.group_by.size();
  for (const auto& [key, teachers] : groups) {
    Row row{{}, {}, key.first, teachers};
    size_t k = 0;
    for (size_t i = 0; i < group_by.size(); ++i) {
      const Dimension* d = group_by[i];
      // The cell fields are packed first field highest (RollupCube::PackKey).
      const int64_t value =
          d->in_cell() ? static_cast<int64_t>((key.second >> (16 * (fields - 1 - k++))) & 0xFFFF)
                       : key.first;
      row.values[i] = value;
      row.order[i] = d->kind == Kind::kUnit ? (int64_t{key.first} << 16) | value : value;
    }
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.order < b.order; });

  v1::AggregateResponse response;
  for (const Dimension* d : group_by) response.add_group_by(d->name);
  response.set_age_reference_date(
      Date{reference_year, kStatisticsMonth, kStatisticsDay}.ToString());
  // Column-wise: each distinct value's code and label are made once, and a
  // row is an index per dimension and a count.
  uint64_t total = 0;
  response.mutable_teachers()->Reserve(static_cast<int>(rows.size()));
  for (size_t i = 0; i < group_by.size(); ++i) {
    const Dimension& d = *group_by[i];
    v1::AggregateColumn* column = response.add_columns();
    column->set_dimension(d.name);
    column->mutable_rows()->Reserve(static_cast<int>(rows.size()));
    absl::flat_hash_map<int64_t, uint32_t> index;  // value (units: with province) -> index
    for (const Row& r : rows) {
      const int64_t key = d.kind == Kind::kUnit ? (int64_t{r.province} << 16) | r.values[i]
                                                : r.values[i];
      auto [it, fresh] = index.try_emplace(key, static_cast<uint32_t>(column->codes_size()));
      if (fresh) {
        const std::string province = r.province ? province_table.Code(r.province) : "";
        column->add_codes(DimensionCode(d, r.values[i], province));
        column->add_labels(DimensionLabel(d, r.values[i]));
      }
      column->add_rows(it->second);
    }
  }
  for (const Row& r : rows) {
    response.add_teachers(r.teachers);
    total += r.teachers;
  }
  response.set_total(total);
  return response;
}

}  // namespace ntmis::national
