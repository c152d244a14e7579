#include "national/aggregator.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace ntmis::national {

absl::StatusOr<v1::AggregateResponse> Aggregate(NationalStore& store,
                                                const v1::AggregateRequest& request) {
  if (static_cast<size_t>(request.group_by_size()) > kMaxGroupBy) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxGroupBy, " dimensions, got ", request.group_by_size()));
  }
  std::vector<const Dimension*> group_by;  // as asked
  std::vector<const Dimension*> cell_dims;  // those the rollup answers
  for (const std::string& name : request.group_by()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(name));
    if (std::find(group_by.begin(), group_by.end(), d) != group_by.end())
      return absl::InvalidArgumentError(absl::StrCat(name, " is named twice"));
    group_by.push_back(d);
    if (d->in_cell()) cell_dims.push_back(d);
  }

  // Provinces to read: all, narrowed by a province filter and by the
  // province part of city and county codes.
  const CodeTable& province_table = CodeTable::Of<v1::Province>();
  std::set<std::string> provinces;
  for (int code : province_table.values()) provinces.insert(province_table.Code(code));
  // Code-table filters apply to every province alike; a city or county
  // code names its province, so those filters are kept per province.
  std::vector<DimensionFilter> filters;
  std::vector<std::map<std::string, DimensionFilter>> unit_filters;
  for (const v1::Filter& f : request.where()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(f.dimension()));
    if (f.values().empty())
      return absl::InvalidArgumentError(absl::StrCat("filter ", d->name, " has no value"));
    std::set<std::string> allowed;  // provinces this filter admits
    DimensionFilter filter{d, {}};
    std::map<std::string, DimensionFilter> per_province;
    for (const std::string& text : f.values()) {
      ASSIGN_OR_RETURN(int64_t value, ParseDimensionValue(*d, text));
      if (!d->in_cell()) {
        allowed.insert(province_table.Code(static_cast<int>(value)));
      } else if (d->table == nullptr) {
        std::string province = text.substr(0, 2);
        allowed.insert(province);
        auto [it, inserted] = per_province.try_emplace(province, DimensionFilter{d, {}});
        it->second.values.push_back(value);
      } else {
        filter.values.push_back(value);
      }
    }
    if (d->in_cell() && d->table != nullptr) {
      filters.push_back(std::move(filter));
      continue;
    }
    std::set<std::string> kept;
    for (const auto& p : provinces)
      if (allowed.count(p)) kept.insert(p);
    provinces.swap(kept);
    if (d->in_cell()) unit_filters.push_back(std::move(per_province));
  }

  std::map<std::vector<std::string>, uint64_t> cells;  // ordered by codes
  for (const std::string& province : provinces) {
    auto db = store.Province(province, /*create=*/false);
    if (absl::IsNotFound(db.status())) continue;
    if (!db.ok()) return db.status();
    std::vector<DimensionFilter> province_filters = filters;
    for (const auto& by_province : unit_filters)
      province_filters.push_back(by_province.at(province));
    RETURN_IF_ERROR((*db)->Aggregate(
        cell_dims, province_filters, [&](const std::vector<int64_t>& values, uint64_t count) {
          std::vector<std::string> codes;
          size_t k = 0;
          for (const Dimension* d : group_by) {
            codes.push_back(d->in_cell() ? DimensionCode(*d, values[k++], province) : province);
          }
          cells[codes] += count;
        }));
  }

  v1::AggregateResponse response;
  for (const Dimension* d : group_by) response.add_group_by(d->name);
  uint64_t total = 0;
  for (const auto& [codes, count] : cells) {
    v1::AggregateRow* row = response.add_rows();
    for (size_t i = 0; i < codes.size(); ++i) {
      const Dimension* d = group_by[i];
      row->add_keys(codes[i]);
      row->add_labels(d->table != nullptr ? d->table->Label(std::stoi(codes[i])) : "");
    }
    row->set_teachers(count);
    total += count;
  }
  response.set_total(total);
  return response;
}

}  // namespace ntmis::national
