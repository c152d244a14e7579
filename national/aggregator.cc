#include "national/aggregator.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace ntmis::national {
namespace {

// Normalises a filter value to the form stored in the rollup.
absl::StatusOr<std::string> FilterCode(const Dimension& d, const std::string& value) {
  if (d.table != nullptr) {
    auto code = d.table->Parse(value);
    if (!code.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", d.name, "=", value, ": ", code.status().message()));
    return absl::StrCat(*code);
  }
  size_t digits = d.name == "city" ? 4 : 6;
  bool ok = value.size() == digits;
  for (char c : value) ok = ok && absl::ascii_isdigit(c);
  if (!ok)
    return absl::InvalidArgumentError(absl::StrCat("filter ", d.name, "=", value, ": a ",
                                                   d.name, " code has ", digits, " digits"));
  return value;
}

}  // namespace

absl::StatusOr<v1::AggregateResponse> Aggregate(NationalStore& store,
                                                const v1::AggregateRequest& request) {
  if (static_cast<size_t>(request.group_by_size()) > kMaxGroupBy) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxGroupBy, " dimensions, got ", request.group_by_size()));
  }
  std::vector<const Dimension*> group_by;
  int province_pos = -1;
  std::vector<const Dimension*> rollup_dims;
  for (const std::string& name : request.group_by()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(name));
    for (const Dimension* seen : group_by)
      if (seen == d) return absl::InvalidArgumentError(absl::StrCat(name, " is named twice"));
    if (d->column.empty()) {
      province_pos = static_cast<int>(group_by.size());
    } else {
      rollup_dims.push_back(d);
    }
    group_by.push_back(d);
  }
  std::vector<DimensionFilter> filters;
  std::vector<std::string> provinces;
  for (const v1::Filter& f : request.where()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(f.dimension()));
    if (f.values().empty())
      return absl::InvalidArgumentError(absl::StrCat("filter ", d->name, " has no value"));
    DimensionFilter filter{d, {}};
    for (const std::string& v : f.values()) {
      ASSIGN_OR_RETURN(std::string code, FilterCode(*d, v));
      filter.codes.push_back(code);
    }
    if (d->column.empty()) {
      if (!provinces.empty())
        return absl::InvalidArgumentError("province is filtered twice");
      for (const auto& c : filter.codes)
        provinces.push_back(d->table->Code(std::stoi(c)));
    } else {
      filters.push_back(std::move(filter));
    }
  }
  if (provinces.empty()) {
    for (int code : CodeTable::Of<v1::Province>().values())
      provinces.push_back(CodeTable::Of<v1::Province>().Code(code));
  }

  std::map<std::vector<std::string>, uint64_t> cells;
  for (const std::string& province : provinces) {
    auto db = store.Province(province, /*create=*/false);
    if (absl::IsNotFound(db.status())) continue;
    if (!db.ok()) return db.status();
    RETURN_IF_ERROR((*db)->Aggregate(
        rollup_dims, filters,
        [&](const std::vector<std::string>& keys, uint64_t count) {
          // Padded codes, so that the map orders rows by code.
          std::vector<std::string> full;
          size_t k = 0;
          for (size_t i = 0; i < group_by.size(); ++i) {
            if (static_cast<int>(i) == province_pos) {
              full.push_back(province);
              continue;
            }
            const std::string& raw = keys[k++];
            int code = 0;
            full.push_back(group_by[i]->table != nullptr && absl::SimpleAtoi(raw, &code)
                               ? group_by[i]->table->Code(code)
                               : raw);
          }
          cells[full] += count;
        }));
  }

  v1::AggregateResponse response;
  for (const Dimension* d : group_by) response.add_group_by(d->name);
  uint64_t total = 0;
  for (const auto& [keys, count] : cells) {
    v1::AggregateRow* row = response.add_rows();
    for (size_t i = 0; i < keys.size(); ++i) {
      const Dimension* d = group_by[i];
      int code = 0;
      if (d->table != nullptr && absl::SimpleAtoi(keys[i], &code)) {
        row->add_keys(d->table->Code(code));
        row->add_labels(d->table->Label(code));
      } else {
        row->add_keys(keys[i]);
        row->add_labels("");
      }
    }
    row->set_teachers(count);
    total += count;
  }
  response.set_total(total);
  return response;
}

}  // namespace ntmis::national
