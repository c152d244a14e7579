// The import templates as people receive them: every template's columns with
// the rule of each in words and, for code columns, the official labels to
// choose from; and the template as an Excel workbook (the 《教师用户导入模板》
// people already use is one): a data sheet with Chinese headers and
// drop-down lists, a sheet explaining each column, and a hidden sheet of the
// code lists the drop-downs read (docs/operators.md, "Imports").
//
// The columns are the importers' own (TeacherTemplate, UnitTemplate,
// CategoryTemplate), so a downloaded template always imports back.
#ifndef NTMIS_PROVINCIAL_IMPORT_IMPORT_TEMPLATES_H_
#define NTMIS_PROVINCIAL_IMPORT_IMPORT_TEMPLATES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tables/table_reader.h"
#include "ntmis/v1/categories.pb.h"

namespace ntmis::provincial {

struct TemplateColumn {
  TableColumn column;           // name, label, limit
  bool value_required = false;  // a row must fill it
  std::string rule;             // in words, in Chinese
  std::vector<std::string>
      choices;  // official labels, for code and yes/no columns
};

struct ImportTemplate {
  std::string name;   // "teachers", "units", or a category's code
  std::string label;  // "教师基本信息"
  std::string note;   // what one row is, who imports it
  std::vector<TemplateColumn> columns;
};

// Every template's name and label, in the order people meet them.
std::vector<std::pair<std::string, std::string>> ImportTemplateNames(
    const v1::CategoryCatalog& catalog);

// One template; INVALID_ARGUMENT naming the templates there are.
absl::StatusOr<ImportTemplate> FindImportTemplate(
    const v1::CategoryCatalog& catalog, const std::string& name);

// A field's rule in words: type, limits, who writes it.
std::string FieldRuleText(const v1::CategoryDef& category,
                          const v1::FieldDef& field);

// The template as an .xlsx workbook.
absl::StatusOr<std::string> ImportTemplateWorkbook(const ImportTemplate& form);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_IMPORT_TEMPLATES_H_
