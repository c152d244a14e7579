#include "national/query/outlook.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "national/query/retirement_rules.h"
#include "national/rollup/dimensions.h"
#include "national/rollup/outlook_cell.h"

namespace ntmis::national {
namespace {

constexpr uint32_t kHorizons[] = {1, 3, 5, 10};
constexpr int kYears = 10;

// The outlook cell's field for a dimension, if it keeps one.
std::optional<CellField> FieldOf(const std::string& name) {
  if (name == "city") return outlook::kCity;
  if (name == "county") return outlook::kCounty;
  if (name == "school_category") return outlook::kSchoolCategory;
  if (name == "title") return outlook::kTitle;
  if (name == "post_type") return outlook::kPostType;
  if (name == "gender") return outlook::kGender;
  return std::nullopt;
}

struct Row {
  uint64_t teachers = 0, reached = 0;
  uint64_t within[std::size(kHorizons)] = {};
  uint64_t by_year[kYears] = {};
  uint64_t hires[kYears] = {};
};

void Add(Row& to, const Row& from) {
  to.teachers += from.teachers;
  to.reached += from.reached;
  for (size_t i = 0; i < std::size(kHorizons); ++i)
    to.within[i] += from.within[i];
  for (int i = 0; i < kYears; ++i) {
    to.by_year[i] += from.by_year[i];
    to.hires[i] += from.hires[i];
  }
}

void Write(const Row& row, v1::OutlookRow* out) {
  out->set_teachers(row.teachers);
  out->set_reached(row.reached);
  for (uint64_t n : row.within) out->add_within(n);
  for (uint64_t n : row.by_year) out->add_by_year(n);
  for (uint64_t n : row.hires) out->add_hires(n);
}

}  // namespace

absl::StatusOr<v1::OutlookResponse> Outlook(NationalStore& store,
                                            const v1::OutlookRequest& request,
                                            const Date& today) {
  const std::string by = request.by().empty() ? "province" : request.by();
  if (by != "province" && !FieldOf(by)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "按「", by,
        "」不能分组：可按 province、city、county、school_category、title、"
        "post_type"));
  }
  Date as_of = today;
  if (!request.as_of().empty()) {
    std::optional<Date> d = ParseDate(request.as_of());
    if (!d)
      return absl::InvalidArgumentError(
          absl::StrCat("日期「", request.as_of(), "」应为 YYYY-MM-DD"));
    as_of = *d;
  }
  ASSIGN_OR_RETURN(const Dimension* by_dim, FindDimension(by));

  // Filters: provinces choose the files, the rest filter cells.
  std::set<std::string> provinces;
  std::vector<CellFilter> where;
  for (const v1::Filter& f : request.where()) {
    ASSIGN_OR_RETURN(const Dimension* d, FindDimension(f.dimension()));
    if (d->name != "province" && !FieldOf(d->name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("展望不能按「", d->label,
                       "」筛选：可按省份、地市、区县、学校类别、"
                       "专业技术职务、岗位类别、性别"));
    }
    CellFilter filter;
    if (d->name != "province") {
      filter.field = *FieldOf(d->name);
      filter.allowed.assign(static_cast<size_t>(filter.field.mask) + 1, 0);
    }
    for (const std::string& text : f.values()) {
      ASSIGN_OR_RETURN(int64_t v, ParseDimensionValue(*d, text));
      if (d->name == "province") {
        provinces.insert(
            CodeTable::Of<v1::Province>().Code(static_cast<int>(v)));
      } else {
        filter.allowed[static_cast<size_t>(v & filter.field.mask)] = 1;
      }
    }
    if (d->name != "province") where.push_back(std::move(filter));
  }

  const int now_month = outlook::MonthNumber(as_of.year, as_of.month);
  // Per province file and breakdown value: the counts.
  std::map<std::pair<std::string, int64_t>, Row> rows;
  CubeQuery ages{{outlook::kBirthMonth, outlook::kGender, outlook::kPostType},
                 where};
  CubeQuery hires{{outlook::kHireYear}, where};
  if (by != "province" && by != "post_type") {
    ages.group_by.push_back(*FieldOf(by));
    hires.group_by.push_back(*FieldOf(by));
  } else if (by == "post_type") {
    hires.group_by.push_back(outlook::kPostType);
  }
  const int first_hire_year = as_of.year - kYears + 1;
  for (const std::string& code : store.KnownProvinces()) {
    if (!provinces.empty() && !provinces.count(code)) continue;
    ASSIGN_OR_RETURN(ProvinceDb * db, store.Province(code, /*create=*/false));
    CubeCounts counts;
    db->CountOutlook(ages, counts);
    for (const auto& [key, n] : counts) {
      const std::vector<int64_t> v =
          RollupCube::UnpackKey(key, ages.group_by.size());
      const int64_t split = by == "province"    ? 0
                            : by == "post_type" ? v[2]
                                                : v[3];
      Row& row = rows[{code, split}];
      row.teachers += n;
      const RetirementRule* rule =
          RuleFor(static_cast<int>(v[1]), static_cast<int>(v[2]));
      if (rule == nullptr || v[0] == 0) continue;  // gender or birth unknown
      const int retires = RetirementMonth(static_cast<int>(v[0]), *rule);
      if (retires <= now_month) {
        row.reached += n;
        continue;
      }
      const int after = retires - now_month;  // 1 = next month
      for (size_t h = 0; h < std::size(kHorizons); ++h)
        if (after <= static_cast<int>(kHorizons[h]) * 12) row.within[h] += n;
      if (after <= kYears * 12) row.by_year[(after - 1) / 12] += n;
    }
    CubeCounts hired;
    db->CountOutlook(hires, hired);
    for (const auto& [key, n] : hired) {
      const std::vector<int64_t> v =
          RollupCube::UnpackKey(key, hires.group_by.size());
      const int year =
          v[0] == 0 ? 0 : outlook::kHireBase + static_cast<int>(v[0]);
      if (year < first_hire_year || year > as_of.year) continue;
      const int64_t split = by == "province" ? 0 : v[1];
      rows[{code, split}].hires[year - first_hire_year] += n;
    }
  }

  v1::OutlookResponse out;
  out.set_by(by);
  out.set_as_of(as_of.ToString());
  for (uint32_t h : kHorizons) out.add_horizons(h);
  for (int y = first_hire_year; y <= as_of.year; ++y) out.add_hire_years(y);
  for (const RetirementRule& rule : RetirementRules())
    out.add_rules(DescribeRule(rule));
  // One row per breakdown value (across provinces for codes; places are
  // their province's own).
  std::map<std::string, std::pair<std::string, Row>> merged;
  Row total;
  for (const auto& [key, row] : rows) {
    const auto& [province, split] = key;
    std::string code, label;
    if (by == "province") {
      code = province;
      label = CodeTable::Of<v1::Province>().Label(std::stoi(province));
    } else if (by_dim->kind == Dimension::Kind::kUnit) {
      // The outlook keeps city << 7 | county as the rollup does; a city
      // breakdown reads the city's digits alone.
      code = DimensionCode(*by_dim, split, province);
      label = store.divisions().Name(code);
      if (label.empty()) label = code;
    } else {
      code = DimensionCode(*by_dim, split, province);
      label = DimensionLabel(*by_dim, split);
    }
    auto& slot = merged[code];
    slot.first = label;
    Add(slot.second, row);
    Add(total, row);
  }
  for (const auto& [code, entry] : merged) {
    v1::OutlookRow* r = out.add_rows();
    r->set_code(code);
    r->set_label(entry.first);
    Write(entry.second, r);
  }
  out.mutable_total()->set_code("");
  out.mutable_total()->set_label("合计");
  Write(total, out.mutable_total());
  return out;
}

}  // namespace ntmis::national
