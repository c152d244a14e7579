#include "national/aggregator.h"

#include <algorithm>
#include <map>
#include <set>

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

  struct Group {
    std::vector<std::string> labels;
    uint64_t teachers = 0;
  };
  std::map<std::vector<std::string>, Group> groups;  // ordered by codes
  CubeCounts counts;
  for (const std::string& province : provinces) {
    auto db = store.Province(province, /*create=*/false);
    if (absl::IsNotFound(db.status())) continue;
    if (!db.ok()) return db.status();
    CubeQuery query = common;
    for (const auto& by_province : unit_filters) query.where.push_back(by_province.at(province));
    counts.clear();
    (*db)->Count(query, counts);
    for (const auto& [key, teachers] : counts) {
      std::vector<int64_t> values = RollupCube::UnpackKey(key, query.group_by.size());
      std::vector<std::string> codes, labels;
      size_t k = 0;
      for (const Dimension* d : group_by) {
        int64_t value = d->in_cell() ? values[k++] : std::stoi(province);
        if (d->kind == Kind::kAgeBand) value = AgeBandOf(value, reference_year);
        codes.push_back(DimensionCode(*d, value, province));
        labels.push_back(DimensionLabel(*d, value));
      }
      Group& g = groups[codes];
      g.labels = std::move(labels);
      g.teachers += teachers;
    }
  }

  v1::AggregateResponse response;
  for (const Dimension* d : group_by) response.add_group_by(d->name);
  response.set_age_reference_date(
      Date{reference_year, kStatisticsMonth, kStatisticsDay}.ToString());
  uint64_t total = 0;
  for (const auto& [codes, group] : groups) {
    v1::AggregateRow* row = response.add_rows();
    for (size_t i = 0; i < codes.size(); ++i) {
      row->add_keys(codes[i]);
      row->add_labels(group.labels[i]);
    }
    row->set_teachers(group.teachers);
    total += group.teachers;
  }
  response.set_total(total);
  return response;
}

}  // namespace ntmis::national
