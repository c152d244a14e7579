#include "common/teacher/country_codes.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace ntmis {

bool IsCountryCode(absl::string_view code) {
  // The 249 officially assigned codes.
  static const auto* codes = new absl::flat_hash_set<absl::string_view>(
      absl::StrSplit("AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS "
                     "AUT AZE BHS BHR BGD BRB BLR BEL "
                     "BLZ BEN BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA "
                     "BDI CPV KHM CMR CAN CYM CAF TCD "
                     "CHL CHN CXR CCK COL COM COG COD COK CRI CIV HRV CUB CUW "
                     "CYP CZE DNK DJI DMA DOM ECU EGY "
                     "SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF "
                     "GAB GMB GEO DEU GHA GIB GRC GRL "
                     "GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN "
                     "ISL IND IDN IRN IRQ IRL IMN ISR "
                     "ITA JAM JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA "
                     "LBN LSO LBR LBY LIE LTU LUX MAC "
                     "MDG MWI MYS MDV MLI MLT MHL MTQ MRT MUS MYT MEX FSM MDA "
                     "MCO MNG MNE MSR MAR MOZ MMR NAM "
                     "NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN "
                     "PAK PLW PSE PAN PNG PRY PER PHL "
                     "PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF "
                     "SPM VCT WSM SMR STP SAU SEN SRB "
                     "SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN "
                     "SUR SJM SWE CHE SYR TWN TJK TZA "
                     "THA TLS TGO TKL TON TTO TUN TUR TKM TCA TUV UGA UKR ARE "
                     "GBR USA UMI URY UZB VUT VEN VNM "
                     "VGB VIR WLF ESH YEM ZMB ZWE",
                     ' '));
  return codes->contains(code);
}

const std::vector<std::pair<std::string, std::string>>& CommonCountries() {
  static const auto* countries =
      new std::vector<std::pair<std::string, std::string>>{
          {"CHN", "中国"},       {"HKG", "中国香港"}, {"MAC", "中国澳门"},
          {"TWN", "中国台湾"},   {"USA", "美国"},     {"GBR", "英国"},
          {"CAN", "加拿大"},     {"AUS", "澳大利亚"}, {"NZL", "新西兰"},
          {"IRL", "爱尔兰"},     {"JPN", "日本"},     {"KOR", "韩国"},
          {"SGP", "新加坡"},     {"MYS", "马来西亚"}, {"THA", "泰国"},
          {"VNM", "越南"},       {"PHL", "菲律宾"},   {"IDN", "印度尼西亚"},
          {"IND", "印度"},       {"PAK", "巴基斯坦"}, {"RUS", "俄罗斯"},
          {"KAZ", "哈萨克斯坦"}, {"MNG", "蒙古"},     {"FRA", "法国"},
          {"DEU", "德国"},       {"ITA", "意大利"},   {"ESP", "西班牙"},
          {"PRT", "葡萄牙"},     {"NLD", "荷兰"},     {"UKR", "乌克兰"},
          {"EGY", "埃及"},       {"ZAF", "南非"},     {"BRA", "巴西"},
          {"MEX", "墨西哥"},     {"ARG", "阿根廷"}};
  return *countries;
}

std::string CountryCodeOf(absl::string_view text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (IsCountryCode(upper)) return upper;
  for (const auto& [code, name] : CommonCountries())
    if (name == text) return code;
  if (text == "中华人民共和国") return "CHN";
  return "";
}

std::string CountryLabel(absl::string_view code) {
  for (const auto& [c, name] : CommonCountries())
    if (c == code) return name;
  return std::string(code);
}

}  // namespace ntmis
