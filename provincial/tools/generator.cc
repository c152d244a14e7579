#include "provincial/tools/generator.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/dates.h"
#include "common/tables/csv.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "provincial/core/teacher_fields.h"

namespace ntmis::provincial {
namespace {

using Rng = std::mt19937_64;

// Picks an index by weight.
size_t Pick(Rng& rng, const std::vector<double>& weights) {
  std::discrete_distribution<size_t> d(weights.begin(), weights.end());
  return d(rng);
}

template <typename T>
const T& PickOf(Rng& rng, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

// Per category: national share of teachers, mean school size, share female,
// mean age.
struct CategoryProfile {
  v1::SchoolCategory category;
  double share;
  double school_size;
  double female;
  double mean_age;
  const char* school_suffix;
};

const std::vector<CategoryProfile>& Profiles() {
  static const auto* p = new std::vector<CategoryProfile>{
      {v1::SCHOOL_CATEGORY_KINDERGARTEN, 0.18, 18, 0.97, 32, "幼儿园"},
      {v1::SCHOOL_CATEGORY_PRIMARY_SECONDARY, 0.64, 70, 0.70, 40, "学校"},
      {v1::SCHOOL_CATEGORY_SECONDARY_VOCATIONAL, 0.05, 110, 0.55, 42,
       "职业中学"},
      {v1::SCHOOL_CATEGORY_SPECIAL_EDUCATION, 0.01, 35, 0.75, 39,
       "特殊教育学校"},
      {v1::SCHOOL_CATEGORY_HIGHER_VOCATIONAL, 0.04, 450, 0.55, 41,
       "职业技术学院"},
      {v1::SCHOOL_CATEGORY_HIGHER_EDUCATION, 0.07, 1300, 0.52, 43, "大学"},
      {v1::SCHOOL_CATEGORY_OTHER_INSTITUTION, 0.01, 40, 0.60, 44,
       "教师发展中心"},
  };
  return *p;
}

// Place-name syllables for synthetic cities and counties.
const std::vector<std::string>& Syllables() {
  static const auto* s = new std::vector<std::string>{
      "安", "宝", "昌", "长", "常", "丰", "福", "广", "海", "和", "河",
      "华", "惠", "嘉", "建", "江", "金", "景", "康", "乐", "临", "龙",
      "隆", "梅", "宁", "平", "清", "庆", "瑞", "山", "绍", "顺", "泰",
      "天", "通", "新", "兴", "阳", "永", "玉", "元", "云", "正", "中",
      "州", "东", "西", "南", "北", "湖", "溪", "石"};
  return *s;
}

const std::vector<std::string>& Surnames() {
  static const auto* s = new std::vector<std::string>{
      "王", "李", "张", "刘", "陈", "杨",   "黄",   "赵",  "吴", "周",
      "徐", "孙", "马", "朱", "胡", "郭",   "何",   "高",  "林", "罗",
      "郑", "梁", "谢", "宋", "唐", "许",   "韩",   "冯",  "邓", "曹",
      "彭", "曾", "肖", "田", "董", "袁",   "潘",   "于",  "蒋", "蔡",
      "余", "杜", "叶", "程", "苏", "魏",   "吕",   "丁",  "任", "沈",
      "姚", "卢", "姜", "崔", "钟", "谭",   "陆",   "汪",  "范", "金",
      "石", "廖", "贾", "夏", "韦", "欧阳", "司马", "上官"};
  return *s;
}

const std::vector<std::string>& GivenChars(bool female) {
  static const auto* f = new std::vector<std::string>{
      "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀",
      "玲", "婷", "雪", "慧", "琳", "颖", "洁", "倩", "梅",
      "燕", "蕾", "欣", "悦", "佳", "雨", "晨", "雅"};
  static const auto* m = new std::vector<std::string>{
      "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明",
      "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
      "斌", "宇", "浩", "凯", "健", "俊", "峰", "博"};
  return female ? *f : *m;
}

// Ethnic mix of a province: (ethnicity code, weight); Han takes the rest.
std::vector<std::pair<int, double>> EthnicMix(int province) {
  switch (province) {
    case 65:
      return {{5, 0.45}, {17, 0.07}, {3, 0.05}, {29, 0.01}, {2, 0.005}};
    case 66:
      return {{5, 0.08}, {17, 0.04}, {3, 0.03}};
    case 54:
      return {{4, 0.88}, {3, 0.005}, {54, 0.004}, {55, 0.002}};
    case 45:
      return {{8, 0.32}, {13, 0.03}, {6, 0.01}, {12, 0.006}, {49, 0.001}};
    case 64:
      return {{3, 0.35}, {11, 0.003}};
    case 15:
      return {{2, 0.17}, {11, 0.02}, {3, 0.008}, {31, 0.003}, {45, 0.001}};
    case 53:
      return {{7, 0.11},   {14, 0.035}, {16, 0.035},
              {18, 0.027}, {8, 0.026},  {6, 0.026}};
    case 52:
      return {{6, 0.12},  {9, 0.07}, {12, 0.04},
              {15, 0.04}, {7, 0.02}, {25, 0.01}};
    case 63:
      return {{4, 0.24}, {3, 0.15}, {30, 0.04}, {35, 0.02}, {2, 0.02}};
    case 22:
      return {{10, 0.04}, {11, 0.03}};
    case 21:
      return {{11, 0.12}, {2, 0.015}, {10, 0.005}, {38, 0.003}};
    case 23:
      return {{11, 0.03}, {10, 0.01}, {2, 0.003}, {31, 0.001}, {53, 0.0001}};
    case 43:
      return {{15, 0.04}, {6, 0.03}, {12, 0.01}, {13, 0.01}};
    case 42:
      return {{15, 0.04}, {6, 0.004}};
    case 50:
      return {{15, 0.045}, {6, 0.015}};
    case 46:
      return {{19, 0.15}, {6, 0.01}};
    case 51:
      return {{7, 0.03}, {4, 0.02}, {33, 0.004}};
    case 62:
      return {{3, 0.05}, {4, 0.018}, {26, 0.02}, {48, 0.001}, {47, 0.001}};
    case 13:
      return {{11, 0.03}, {3, 0.008}};
    case 35:
      return {{22, 0.01}};
    default:
      return {{3, 0.008}, {11, 0.004}, {97, 0.001}};
  }
}

int AgeBandStartYear(Rng& rng, double mean_age) {
  std::normal_distribution<double> d(mean_age, 9.0);
  return std::clamp(static_cast<int>(std::lround(d(rng))), 21, 62);
}

}  // namespace

SyntheticProvince::SyntheticProvince(int province, uint64_t teachers,
                                     uint64_t seed)
    : province_(province),
      teachers_(teachers),
      rng_(seed * 1000003ULL + static_cast<uint64_t>(province)) {
  const std::string p = absl::StrFormat("%02d", province);
  // Schools per category, sized to hold the teachers.
  std::vector<size_t> school_counts;
  size_t total_schools = 0;
  for (const auto& prof : Profiles()) {
    size_t n = std::max<size_t>(
        1, static_cast<size_t>(
               std::ceil(teachers * prof.share / prof.school_size)));
    school_counts.push_back(n);
    total_schools += n;
  }
  size_t counties_wanted = std::clamp<size_t>(total_schools / 25, 2, 120);
  size_t cities = std::clamp<size_t>(counties_wanted / 6, 2, 16);
  auto place_name = [this]() {
    return PickOf(rng_, Syllables()) + PickOf(rng_, Syllables());
  };
  for (size_t c = 1; c <= cities; ++c) {
    std::string city_code = absl::StrFormat("%s%02d", p, c);
    std::string city_name = place_name() + "市";
    units_.push_back({city_code, p, UnitLevel::kCity, city_name});
    size_t counties = std::max<size_t>(
        1, counties_wanted / cities + (c <= counties_wanted % cities ? 1 : 0));
    for (size_t k = 1; k <= counties; ++k) {
      std::string county_code = absl::StrFormat("%s%02d", city_code, k);
      std::string county_name = place_name() + (k <= 3 ? "区" : "县");
      units_.push_back(
          {county_code, city_code, UnitLevel::kCounty, county_name});
      county_codes_.push_back(county_code);
    }
  }
  schools_by_category_.resize(8);
  absl::flat_hash_map<std::string, int> per_county;
  std::unordered_map<std::string, std::string> county_names;
  for (const auto& u : units_) county_names[u.code] = u.name;
  for (size_t i = 0; i < Profiles().size(); ++i) {
    const auto& prof = Profiles()[i];
    for (size_t s = 0; s < school_counts[i]; ++s) {
      const std::string& county = PickOf(rng_, county_codes_);
      int n = ++per_county[county];
      std::string code = absl::StrFormat("%s%04d", county, n);
      std::string name =
          absl::StrCat(county_names[county], "第", s + 1, prof.school_suffix);
      units_.push_back({code, county, UnitLevel::kSchool, name, prof.category});
      schools_by_category_[prof.category].push_back(
          {code, county, prof.category});
    }
  }
}

std::string SyntheticProvince::UnitsCsv() const {
  std::string out;
  AppendCsvLine(&out, UnitTemplateColumns());
  const char* levels[] = {"", "province", "city", "county", "school"};
  for (const auto& u : units_) {
    AppendCsvLine(
        &out, {u.code, u.parent_code, levels[static_cast<int>(u.level)], u.name,
               u.level == UnitLevel::kSchool
                   ? CodeTable::Of<v1::SchoolCategory>().Code(u.school_category)
                   : ""});
  }
  return out;
}

std::vector<std::string> SyntheticProvince::NextTeacherRow() {
  Rng& r = rng_;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> shares;
  for (const auto& prof : Profiles()) shares.push_back(prof.share);
  const CategoryProfile& prof = Profiles()[Pick(r, shares)];
  const School& school = PickOf(r, schools_by_category_[prof.category]);

  bool female = u(r) < prof.female;
  int age = AgeBandStartYear(r, prof.mean_age);
  Date today = Today();
  int birth_year = today.year - age - 1;
  int month = std::uniform_int_distribution<int>(1, 12)(r);
  int day =
      std::uniform_int_distribution<int>(1, DaysInMonth(birth_year, month))(r);
  Date birth{birth_year, month, day};

  // Ethnicity from the province's mix.
  int ethnicity = 1;
  double roll = u(r), acc = 0;
  for (auto [code, w] : EthnicMix(province_)) {
    acc += w;
    if (roll < acc) {
      ethnicity = code;
      break;
    }
  }

  std::string name = PickOf(r, Surnames()) + PickOf(r, GivenChars(female));
  if (u(r) < 0.6) name += PickOf(r, GivenChars(female));
  if (ethnicity == 5 || ethnicity == 17) {
    static const std::vector<std::string> given = {
        "阿依古丽", "买买提", "热依拉",   "艾力",
        "古丽娜",   "努尔兰", "帕提古丽", "吐尔逊"};
    static const std::vector<std::string> family = {
        "艾买提", "吐尔洪", "阿不都", "热合曼", "库尔班", "沙吾提"};
    name = PickOf(r, given) + "·" + PickOf(r, family);
  } else if (ethnicity == 4) {
    static const std::vector<std::string> tibetan = {
        "扎西", "卓玛", "次仁", "拉姆", "格桑", "央金", "旦增", "德吉"};
    name = PickOf(r, tibetan) + PickOf(r, tibetan);
  }

  // ID-card number: born in this province mostly, elsewhere sometimes.
  std::string region;
  if (u(r) < 0.85) {
    region = province_ == 66
                 ? absl::StrFormat("65%02d%02d", 1 + r() % 40, 1 + r() % 30)
                 : PickOf(r, county_codes_);
  } else {
    const auto& codes = CodeTable::Of<v1::Province>().values();
    int other = PickOf(r, codes);
    if (other == 66) other = 65;
    region = absl::StrFormat("%02d%02d%02d", other, 1 + r() % 15, 1 + r() % 20);
  }
  // The 3-digit sequence (its parity is the gender) comes from a range of
  // this province's own, so two provinces never generate the same person:
  // the national identity registry would rightly refuse the second.
  const auto& provinces = CodeTable::Of<v1::Province>().values();
  const int index = static_cast<int>(
      std::find(provinces.begin(), provinces.end(), province_) -
      provinces.begin());
  std::string id;
  do {
    int seq = (index * 15 + std::uniform_int_distribution<int>(0, 14)(r)) * 2 +
              (female ? 0 : 1);
    std::string first17 = absl::StrFormat(
        "%s%04d%02d%02d%03d", region, birth.year, birth.month, birth.day, seq);
    id = first17 + IdCardCheckChar(first17);
  } while (!ids_.insert(id).second);

  // Education and degree by category.
  std::vector<std::pair<int, double>> edu;
  switch (prof.category) {
    case v1::SCHOOL_CATEGORY_KINDERGARTEN:
      edu = {{14, 0.02}, {21, 0.38}, {31, 0.48}, {41, 0.11}, {61, 0.01}};
      break;
    case v1::SCHOOL_CATEGORY_HIGHER_EDUCATION:
      edu = {{11, 0.35}, {14, 0.45}, {21, 0.19}, {31, 0.01}};
      break;
    case v1::SCHOOL_CATEGORY_HIGHER_VOCATIONAL:
      edu = {{11, 0.08}, {14, 0.50}, {21, 0.40}, {31, 0.02}};
      break;
    default:
      edu = {{11, 0.003}, {14, 0.12}, {21, 0.70}, {31, 0.16}, {41, 0.017}};
  }
  std::vector<double> ew;
  for (auto& e : edu) ew.push_back(e.second);
  int education = edu[Pick(r, ew)].first;
  int degree = education == 11                    ? 2
               : education == 14                  ? 3
               : (education == 21 && u(r) < 0.85) ? 4
                                                  : 9;

  // Title rises with age; universities skew senior.
  int title;
  double t =
      u(r) + (prof.category >= v1::SCHOOL_CATEGORY_HIGHER_VOCATIONAL ? 0.1 : 0);
  if (age < 26)
    title = t < 0.5 ? 9 : (t < 0.8 ? 5 : 4);
  else if (age < 35)
    title = t < 0.15 ? 9 : (t < 0.55 ? 4 : (t < 0.95 ? 3 : 2));
  else if (age < 45)
    title = t < 0.05 ? 9 : (t < 0.2 ? 4 : (t < 0.7 ? 3 : (t < 0.97 ? 2 : 1)));
  else
    title = t < 0.03 ? 9 : (t < 0.1 ? 4 : (t < 0.5 ? 3 : (t < 0.92 ? 2 : 1)));

  int hire_age = std::uniform_int_distribution<int>(21, 26)(r);
  hire_age = std::min(hire_age, age);
  Date hire{birth.year + hire_age, std::uniform_int_distribution<int>(7, 9)(r),
            1};
  if (today < hire) hire = Date{today.year - 1, 9, 1};

  int political =
      u(r) < 0.33 ? 1 : (age < 28 && u(r) < 0.5 ? 3 : (u(r) < 0.03 ? 4 : 13));
  int employment =
      prof.category == v1::SCHOOL_CATEGORY_KINDERGARTEN
          ? (u(r) < 0.45 ? 1 : (u(r) < 0.9 ? 2 : 3))
          : (u(r) < 0.82 ? 1 : (u(r) < 0.85 ? 2 : (u(r) < 0.6 ? 3 : 4)));
  double s = u(r);
  // Serving staff only (common/teacher/service_status.h): 在职, 长期病休,
  // 离岗进修, 延聘, 待退休.
  int status =
      s < 0.95 ? 1 : (s < 0.965 ? 2 : (s < 0.98 ? 3 : (s < 0.99 ? 6 : 7)));
  double pt = u(r);
  int post = pt < 0.86 ? 1 : (pt < 0.93 ? 2 : (pt < 0.97 ? 3 : 4));
  int qualification;
  switch (prof.category) {
    case v1::SCHOOL_CATEGORY_KINDERGARTEN:
      qualification = 1;
      break;
    case v1::SCHOOL_CATEGORY_PRIMARY_SECONDARY:
      qualification = 2 + static_cast<int>(Pick(r, {0.45, 0.30, 0.25}));
      break;
    case v1::SCHOOL_CATEGORY_SECONDARY_VOCATIONAL:
      qualification = std::vector<int>{5, 4, 6}[Pick(r, {0.7, 0.2, 0.1})];
      break;
    case v1::SCHOOL_CATEGORY_HIGHER_VOCATIONAL:
    case v1::SCHOOL_CATEGORY_HIGHER_EDUCATION:
      qualification = 7;
      break;
    default:
      qualification = 2;
  }
  if (u(r) < 0.03) qualification = 9;

  auto code = [](auto table_enum_tag, int v) {
    using E = decltype(table_enum_tag);
    return CodeTable::Of<E>().Code(v);
  };
  return {name,
          code(v1::Gender{}, female ? 2 : 1),
          birth.ToString(),
          id,
          code(v1::Ethnicity{}, ethnicity),
          "CHN",
          code(v1::PoliticalStatus{}, political),
          hire.ToString(),
          code(v1::EmploymentType{}, employment),
          code(v1::InServiceStatus{}, status),
          school.code,
          code(v1::PostType{}, post),
          code(v1::Education{}, education),
          code(v1::Degree{}, degree),
          code(v1::TitleLevel{}, title),
          code(v1::QualificationType{}, qualification)};
}

void SyntheticProvince::WriteTeachersCsv(
    const std::function<void(const std::string&)>& sink) {
  std::string out;
  AppendCsvLine(&out, TeacherTemplateColumns());
  for (uint64_t i = 0; i < teachers_; ++i) {
    AppendCsvLine(&out, NextTeacherRow());
    if (out.size() >= (1 << 20)) {
      sink(out);
      out.clear();
    }
  }
  if (!out.empty()) sink(out);
}

}  // namespace ntmis::provincial
