// The unit tree (province > city > county > school): its rules and the
// school look-up the teacher import uses. Changes by an administrator after
// the import are unit_admin.h. The
// unit-template import is provincial/import/unit_import.h.
#ifndef NTMIS_PROVINCIAL_CORE_UNITS_H_
#define NTMIS_PROVINCIAL_CORE_UNITS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "ntmis/v1/codes.pb.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/problems.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

enum class UnitLevel : int {
  kProvince = 1,
  kCity = 2,
  kCounty = 3,
  kSchool = 4
};

struct Unit {
  std::string code;
  std::string parent_code;
  UnitLevel level;
  std::string name;
  v1::SchoolCategory school_category = v1::SCHOOL_CATEGORY_UNSPECIFIED;
  bool closed = false;
};

// The unit as every transport shows it.
void ToProto(const Unit& unit, v1::UnitInfo* out);

const char* UnitLevelName(UnitLevel level);   // "city", as in the unit template
const char* UnitLevelLabel(UnitLevel level);  // "地市", as clerks read it

// One unit; NOT_FOUND names the code.
absl::StatusOr<Unit> LoadUnit(Store& store, const std::string& code);

// Units' names by code, each read once: lists, queues and account tables
// name their units, never show a bare code. An unknown code names itself.
// Not thread-safe; the Store must outlive it.
class UnitNames {
 public:
  explicit UnitNames(Store& store) : store_(store) {}
  const std::string& operator()(const std::string& code);

 private:
  Store& store_;
  absl::flat_hash_map<std::string, std::string> names_;
};

// The unit and its ancestors, the unit first and the province last.
absl::StatusOr<std::vector<Unit>> UnitChain(Store& store,
                                            const std::string& code);

// The unit's children (open ones unless `include_closed`), by code.
absl::StatusOr<std::vector<Unit>> ChildUnits(Store& store,
                                             const std::string& code,
                                             bool include_closed);

// Where a school sits, as a teacher record needs it.
struct SchoolPlace {
  std::string city_code;
  std::string county_code;
  v1::SchoolCategory category;
  // The school itself, or the county or city above it, is closed: the code
  // of the closed unit, empty for a school that takes teachers.
  std::string closed_unit;
};

// Unit-template columns: code,parent_code,level,name,school_category.
// level is city|county|school (or 2|3|4); school_category is a code or label
// for schools and empty otherwise. Codes: city 4 digits starting with the
// province, county 6 starting with its city, school any 10 digits.
const std::vector<std::string>& UnitTemplateColumns();
// The same columns with their labels and limits, as imports read them.
const std::vector<TableColumn>& UnitTemplate();

// Creates the province's root unit (code = the two-digit province code).
absl::Status EnsureProvinceUnit(Store& store, const std::string& province);

// Every school with its city and county, and whether it or a unit above
// it is closed.
absl::StatusOr<absl::flat_hash_map<std::string, SchoolPlace>> LoadSchools(
    Store& store);

// The same for one school; nullopt when `code` is not a school.
absl::StatusOr<std::optional<SchoolPlace>> LoadSchool(Store& store,
                                                      const std::string& code);

// The rule a school breaks when it cannot take teachers (unknown, or it or
// a unit above it closed), in Chinese; empty when it can. For the teacher
// import and Workflow::CreateTeacher alike.
std::string SchoolTakesTeachersRule(const std::string& school_code,
                                    const SchoolPlace* place);

// The rules for a new unit, shared by the unit template and AddUnit:
// code length and prefix, the parent's level (`parent_level`: the open
// parent's, none if it is missing or closed), a free code, name and school
// category (`category` as given: code or label). Adds one problem per rule
// broken.
void CheckNewUnit(const Unit& unit, std::optional<UnitLevel> parent_level,
                  bool code_taken, const std::string& category,
                  RowProblems& problems);

// Inserts a unit whose rules were checked (CheckNewUnit), inside the
// caller's transaction.
absl::Status InsertUnit(Store& store, const Unit& unit);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_UNITS_H_
