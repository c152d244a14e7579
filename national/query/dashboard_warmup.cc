#include "national/query/dashboard_warmup.h"

#include <string>
#include <utility>
#include <vector>

#include "common/base/status_macros.h"
#include "national/query/aggregator.h"
#include "national/query/outlook.h"

namespace ntmis::national {

absl::StatusOr<int> WarmDashboard(NationalStore& store, const Date& today) {
  // The panels of screens/dashboard.js: by area, by school category, age
  // band × gender, title, education; at the national level, a province's
  // (filtered by province) and a city's (filtered by province and city).
  const std::vector<std::vector<std::string>> panels = {
      {"school_category"}, {"age_band", "gender"}, {"title"}, {"education"}};
  const std::vector<
      std::pair<std::vector<std::string>, std::vector<std::string>>>
      levels = {{{"province"}, {}},
                {{"city"}, {"province"}},
                {{"county"}, {"province", "city"}}};
  std::vector<std::string> provinces = store.KnownProvinces();
  if (provinces.empty()) return 0;
  int asked = 0;
  for (const auto& [area, filtered] : levels) {
    std::vector<std::vector<std::string>> shapes = panels;
    shapes.push_back(area);
    // A filtered level reads only the province it names: each province
    // builds its own views. The city value does not matter (the view is
    // the same for every value).
    const std::vector<std::string> places =
        filtered.empty() ? std::vector<std::string>{""} : provinces;
    for (const std::string& province : places) {
      for (const auto& group_by : shapes) {
        v1::AggregateRequest request;
        for (const std::string& d : group_by) request.add_group_by(d);
        for (const std::string& f : filtered) {
          v1::Filter* filter = request.add_where();
          filter->set_dimension(f);
          filter->add_values(f == "province" ? province : province + "01");
        }
        RETURN_IF_ERROR(Aggregate(store, request, today).status());
        ++asked;
      }
    }
  }
  // The outlook by province, and by each province's cities.
  RETURN_IF_ERROR(Outlook(store, v1::OutlookRequest(), today).status());
  ++asked;
  for (const std::string& province : provinces) {
    v1::OutlookRequest outlook;
    outlook.set_by("city");
    v1::Filter* in = outlook.add_where();
    in->set_dimension("province");
    in->add_values(province);
    RETURN_IF_ERROR(Outlook(store, outlook, today).status());
    ++asked;
  }
  return asked;
}

}  // namespace ntmis::national
