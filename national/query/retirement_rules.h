// The statutory retirement age, as data: the original ages and the gradual
// reform of 2025 (全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄
// 的决定, 2024-09-13, in force 2025-01-01): from January 2025 the age of men
// and of women whose original age was 55 rises by one month every four
// months, to 63 and 58; the age of women whose original age was 50 rises by
// one month every two months, to 55. A teacher's original age follows the
// post: women in 工勤 (worker) posts 50, other women 55, men 60.
//
// The rule of each group is one row of kRetirementRules, shown with every
// outlook answer; RetirementMonth applies it.
#ifndef NTMIS_NATIONAL_QUERY_RETIREMENT_RULES_H_
#define NTMIS_NATIONAL_QUERY_RETIREMENT_RULES_H_

#include <string>
#include <vector>

namespace ntmis::national {

struct RetirementRule {
  const char* who;         // as people read it
  int original_age;        // years
  int reform_start_month;  // the first month the reform applies (YYYY*12+MM-1)
  int months_per_step;     // one month more for each this many months
  int max_delay_months;    // the new age less the original one
};

// Men; women whose original age is 55; women whose original age is 50.
const std::vector<RetirementRule>& RetirementRules();

// The rule for a record's gender and post (codes of v1::Gender and
// v1::PostType); null for an unknown gender.
const RetirementRule* RuleFor(int gender, int post_type);

// The month (months since January 1900, national/rollup/outlook_cell.h) in
// which someone born in `birth_month` reaches the statutory retirement age
// under `rule`: the month they reach the original age, plus the reform's
// delay for that month — 1 month for an original retirement month in the
// reform's first step, one more each step, up to the maximum.
int RetirementMonth(int birth_month, const RetirementRule& rule);

// "男：原60周岁，2025年1月起每4个月延迟1个月，最多延迟36个月（至63周岁）".
std::string DescribeRule(const RetirementRule& rule);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_RETIREMENT_RULES_H_
