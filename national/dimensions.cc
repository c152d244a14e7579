#include "national/dimensions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ntmis::national {

const std::vector<Dimension>& Dimensions() {
  using R = v1::TeacherRecord;
  static const auto* dims = new std::vector<Dimension>{
      {"province", "", &CodeTable::Of<v1::Province>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.province())); }},
      {"city", "city", nullptr, [](const R& r) { return r.city_code(); }},
      {"county", "county", nullptr, [](const R& r) { return r.county_code(); }},
      {"school_category", "school_category", &CodeTable::Of<v1::SchoolCategory>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.school_category())); }},
      {"gender", "gender", &CodeTable::Of<v1::Gender>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.gender())); }},
      {"ethnicity", "ethnicity", &CodeTable::Of<v1::Ethnicity>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.ethnicity())); }},
      {"education", "education", &CodeTable::Of<v1::Education>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.education())); }},
      {"degree", "degree", &CodeTable::Of<v1::Degree>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.degree())); }},
      {"title", "title", &CodeTable::Of<v1::TitleLevel>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.title())); }},
      {"post_type", "post_type", &CodeTable::Of<v1::PostType>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.post_type())); }},
      {"status", "status", &CodeTable::Of<v1::InServiceStatus>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.status())); }},
      {"employment_type", "employment_type", &CodeTable::Of<v1::EmploymentType>(),
       [](const R& r) { return absl::StrCat(static_cast<int>(r.employment_type())); }},
  };
  return *dims;
}

absl::StatusOr<const Dimension*> FindDimension(const std::string& name) {
  for (const auto& d : Dimensions())
    if (d.name == name) return &d;
  std::vector<std::string> names;
  for (const auto& d : Dimensions()) names.push_back(d.name);
  return absl::InvalidArgumentError(absl::StrCat("unknown dimension '", name,
                                                 "'; allowed: ", absl::StrJoin(names, ", ")));
}

}  // namespace ntmis::national
