#include "national/query/retirement_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "national/rollup/outlook_cell.h"
#include "ntmis/v1/codes.pb.h"

namespace ntmis::national {
namespace {

const int kReformStart = outlook::MonthNumber(2025, 1);

}  // namespace

const std::vector<RetirementRule>& RetirementRules() {
  static const auto* rules = new std::vector<RetirementRule>{
      {"男", 60, kReformStart, 4, 36},
      {"女（原法定退休年龄55周岁：管理、专业技术岗位）", 55, kReformStart, 4,
       36},
      {"女（原法定退休年龄50周岁：工勤岗位）", 50, kReformStart, 2, 60},
  };
  return *rules;
}

const RetirementRule* RuleFor(int gender, int post_type) {
  const auto& rules = RetirementRules();
  if (gender == v1::GENDER_MALE) return &rules[0];
  if (gender != v1::GENDER_FEMALE) return nullptr;
  return post_type == v1::POST_TYPE_LOGISTICS ? &rules[2] : &rules[1];
}

int RetirementMonth(int birth_month, const RetirementRule& rule) {
  const int original = birth_month + rule.original_age * 12;
  if (original < rule.reform_start_month) return original;
  const int steps = (original - rule.reform_start_month) / rule.months_per_step;
  return original + std::min(steps + 1, rule.max_delay_months);
}

std::string DescribeRule(const RetirementRule& rule) {
  const int years = rule.max_delay_months / 12;
  return absl::StrCat(rule.who, "：原", rule.original_age, "周岁；",
                      outlook::YearOfMonth(rule.reform_start_month), "年",
                      outlook::MonthOfMonth(rule.reform_start_month), "月起每",
                      rule.months_per_step, "个月延迟1个月，最多延迟",
                      rule.max_delay_months, "个月（至",
                      rule.original_age + years, "周岁）");
}

}  // namespace ntmis::national
