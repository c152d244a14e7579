// The information categories a provincial node keeps beyond the core record:
// the national catalog shipped with the node as data
// (provincial/core/data/category_catalog.textproto) and the province's custom
// indicators, defined at run time and kept as the fields of the category
// "custom". One set of rules checks every value, whatever its source: the
// API, an import, a custom definition.
#ifndef NTMIS_PROVINCIAL_CORE_CATEGORIES_H_
#define NTMIS_PROVINCIAL_CORE_CATEGORIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tables/table_reader.h"
#include "common/teacher/record_validation.h"
#include "ntmis/v1/categories.pb.h"
#include "provincial/core/store.h"
#include "provincial/core/user.h"

namespace ntmis::provincial {

inline constexpr char kCustomCategory[] = "custom";

// The shipped national catalog (parsed once; a catalog that does not parse
// is a build defect and aborts at first use).
const v1::CategoryCatalog& NationalCatalog();
// The national category's label ("学习经历"), or `code` itself.
std::string CategoryLabel(const std::string& code);

// A field's value as people read it: a code's label ("1" → "面授"), 是/否.
std::string FieldValueLabel(const v1::FieldDef& field,
                            const std::string& value);

// The catalog of one province: the national categories and "custom".
// Immutable once loaded: any thread may read it.
class Catalog {
 public:
  static absl::StatusOr<Catalog> Load(Store& store);

  // INVALID_ARGUMENT listing the codes when there is no such category.
  absl::StatusOr<const v1::CategoryDef*> Get(const std::string& code) const;
  const v1::CategoryCatalog& catalog() const { return catalog_; }

 private:
  v1::CategoryCatalog catalog_;
};

// Who writes `field` of `category`.
v1::Writer WriterOfField(const v1::CategoryDef& category,
                         const v1::FieldDef& field);

// Checks one value and returns it normalised (codes as codes, dates as
// YYYY-MM-DD, booleans as 1/0, numbers as written); empty stays empty.
// `birth_date` (may be empty) is the teacher's, for after_birth dates.
// INVALID_ARGUMENT "field='value': rule" with what is allowed.
absl::StatusOr<std::string> CheckFieldValue(const v1::FieldDef& field,
                                            const std::string& value,
                                            const std::string& birth_date);

// The rule of a CheckFieldValue error, without its "field='value': ".
std::string FieldRule(const absl::Status& status, const std::string& field,
                      const std::string& value);

// The catalog as forms show it: BasicInformationForm() first, then
// `catalog`, every CODE field with its allowed codes as "code=label".
v1::CategoryCatalog FormCatalog(const v1::CategoryCatalog& catalog);

// The values of one entry after applying `given` to `base` (the entry as it
// is, empty for a new one): every field known, each written by someone
// allowed (`by_teacher`), every required field set. Fields in definition
// order, empty ones left out. Also, one per field broken, in `problems` if
// given (an import reports them by column).
absl::StatusOr<v1::EntryValues> CheckEntry(
    const v1::CategoryDef& category, const v1::EntryValues& base,
    const std::vector<v1::FieldValue>& given, bool by_teacher,
    const std::string& birth_date,
    std::vector<FieldProblem>* problems = nullptr);

// A field's value in an entry ("" when not set).
std::string EntryValue(const v1::EntryValues& values, const std::string& field);

// Import template header: teacher_number, entry_no, then the fields.
std::vector<std::string> CategoryTemplateColumns(
    const v1::CategoryDef& category);
// The same columns with their labels and limits, as imports read them.
std::vector<TableColumn> CategoryTemplate(const v1::CategoryDef& category);

// Custom indicators. A definition needs a new name (lower case, digits,
// '_'), a label, a type with its code list or range, and valid school
// categories in required_for; INVALID_ARGUMENT says what is wrong.
absl::Status CheckCustomIndicator(const v1::FieldDef& field);
// Defined at the province level by its system administrator or
// information manager.
absl::Status DefineCustomIndicator(Store& store, const User& actor,
                                   const v1::FieldDef& field);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_CATEGORIES_H_
