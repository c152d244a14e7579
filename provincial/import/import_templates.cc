#include "provincial/import/import_templates.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/tables/xlsx_writer.h"
#include "common/teacher/code_tables.h"
#include "ntmis/v1/codes.pb.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

// Labels of a FormCatalog field's "code=label" list.
std::vector<std::string> Choices(const v1::FieldDef& field) {
  std::vector<std::string> labels;
  if (field.type() == v1::FieldDef::BOOLEAN) return {"是", "否"};
  for (const std::string& c : field.codes()) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(c, absl::MaxSplits('=', 1));
    labels.push_back(parts.second.empty() ? parts.first : parts.second);
  }
  return labels;
}

const v1::CategoryDef* FindForm(const v1::CategoryCatalog& form,
                                const std::string& code) {
  for (const v1::CategoryDef& c : form.categories())
    if (c.code() == code) return &c;
  return nullptr;
}

TemplateColumn FromField(const v1::CategoryDef& category,
                         const v1::FieldDef& field, const TableColumn& column) {
  TemplateColumn out;
  out.column = column;
  out.value_required = field.required();
  out.rule = FieldRuleText(category, field);
  out.choices = Choices(field);
  return out;
}

ImportTemplate TeachersTemplate(const v1::CategoryDef& basic) {
  ImportTemplate t;
  t.name = "teachers";
  t.label = "教师基本信息";
  t.note =
      "每行一位教师，由学校或教育行政部门的信息管理员导入；身份证件号码在本省唯"
      "一，"
      "同一人再次导入时按身份证件号码找到原有记录。";
  for (int i = 0; i < basic.fields_size(); ++i) {
    TemplateColumn c = FromField(basic, basic.fields(i), TeacherTemplate()[i]);
    switch (static_cast<TeacherColumn>(i)) {
      case kIdCardNumber:
        c.rule =
            "18 位居民身份证号码（GB 11643，末位可为 "
            "X，校验位须正确）；决定性别与出生日期，"
            "建档后不能修改";
        break;
      case kNationality:
        c.rule = "ISO 3166-1 三位字母国家代码，如 CHN（中国）";
        break;
      case kSchoolCode:
        c.rule =
            "任职学校的单位代码：须为您管理范围内、未撤销的学校；调动须走调动流"
            "程";
        break;
      default:
        break;
    }
    t.columns.push_back(std::move(c));
  }
  return t;
}

ImportTemplate UnitsTemplate() {
  ImportTemplate t;
  t.name = "units";
  t.label = "单位";
  t.note =
      "每行一个地市、区县或学校，由系统管理员导入；上级单位须已导入或在本文件前"
      "面的行中。";
  const std::vector<TableColumn>& columns = UnitTemplate();
  const char* const kRules[] = {
      "地市 4 位、区县 6 位数字，以上级单位代码开头；学校为 10 "
      "位数字的学校标识码",
      "上级单位的代码：地市的上级是本省，区县的上级是地市，学校的上级是区县",
      "地市、区县或学校",
      "单位全称，不超过 200 字节",
      "只有学校填写：学校类别",
  };
  for (size_t i = 0; i < columns.size(); ++i) {
    TemplateColumn c;
    c.column = columns[i];
    c.value_required = columns[i].name != "school_category";
    c.rule = kRules[i];
    if (columns[i].name == "level") c.choices = {"地市", "区县", "学校"};
    if (columns[i].name == "school_category") {
      const CodeTable& table = CodeTable::Of<v1::SchoolCategory>();
      for (int v : table.values()) c.choices.push_back(table.Label(v));
    }
    t.columns.push_back(std::move(c));
  }
  return t;
}

ImportTemplate CategoryImportTemplate(const v1::CategoryDef& category) {
  ImportTemplate t;
  t.name = category.code();
  t.label = category.label();
  t.note = absl::StrCat(
      "每行是一位教师的一条「", category.label(), "」",
      category.repeated()
          ? "（可有多条：条目序号留空为新增一条，填序号为替换该条）"
          : "（每人只有一条）",
      category.administration_only() ? "；只由学校或教育行政部门填写" : "",
      "。");
  const std::vector<TableColumn> columns = CategoryTemplate(category);
  TemplateColumn number;
  number.column = columns[0];
  number.value_required = true;
  number.rule = "教师的 12 位教师编号（建档时由系统分配，可在教师名单中查到）";
  t.columns.push_back(std::move(number));
  TemplateColumn entry;
  entry.column = columns[1];
  entry.rule = category.repeated() ? "新增一条时留空；替换已有的一条时填其序号"
                                   : "留空或填 1";
  t.columns.push_back(std::move(entry));
  for (int i = 0; i < category.fields_size(); ++i)
    t.columns.push_back(
        FromField(category, category.fields(i), columns[i + 2]));
  return t;
}

// Excel's column letters for a zero-based column.
std::string ColumnLetters(size_t column) {
  std::string letters;
  for (size_t n = column + 1; n > 0; n = (n - 1) / 26)
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return letters;
}

// Text cut to `chars` characters on character bounds: Excel limits a
// validation's title to 32 and its message to 255 characters, and a sheet
// name to 31.
std::string Cut(const std::string& text, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen++ == chars) return text.substr(0, i);
  }
  return text;
}

}  // namespace

std::string FieldRuleText(const v1::CategoryDef& category,
                          const v1::FieldDef& field) {
  std::vector<std::string> parts;
  switch (field.type()) {
    case v1::FieldDef::TEXT:
      parts.push_back(absl::StrCat(
          "文字，不超过 ", field.max_length() == 0 ? 200 : field.max_length(),
          " 字"));
      break;
    case v1::FieldDef::DATE:
      parts.push_back("日期，如 2010-09-01（也可写 2010/9/1、2010年9月1日）");
      break;
    case v1::FieldDef::CODE:
      parts.push_back("从下拉列表选择名称，或填写代码");
      break;
    case v1::FieldDef::INTEGER:
      parts.push_back("整数");
      break;
    case v1::FieldDef::DECIMAL:
      parts.push_back("数字，如 12.5");
      break;
    case v1::FieldDef::BOOLEAN:
      parts.push_back("是或否（也可填 1 或 0）");
      break;
    default:
      break;
  }
  if (field.min() < field.max())
    parts.push_back(absl::StrCat("取值 ", field.min(), "～", field.max()));
  if (field.not_future()) parts.push_back("不能晚于今天");
  if (field.after_birth()) parts.push_back("不能早于出生日期");
  if (!field.not_before().empty()) {
    std::string label = field.not_before();
    for (const v1::FieldDef& f : category.fields())
      if (f.name() == field.not_before()) label = f.label();
    parts.push_back(absl::StrCat("不能早于「", label, "」"));
  }
  if (field.writer() == v1::WRITER_FIXED) {
    parts.push_back("建档时填写，之后不能修改");
  } else if (WriterOfField(category, field) == v1::WRITER_STAFF) {
    parts.push_back("只由学校或教育行政部门填写");
  }
  return absl::StrJoin(parts, "；");
}

std::vector<std::pair<std::string, std::string>> ImportTemplateNames(
    const v1::CategoryCatalog& catalog) {
  std::vector<std::pair<std::string, std::string>> names{
      {"teachers", "教师基本信息"}, {"units", "单位"}};
  for (const v1::CategoryDef& c : catalog.categories())
    names.emplace_back(c.code(), c.label());
  return names;
}

absl::StatusOr<ImportTemplate> FindImportTemplate(
    const v1::CategoryCatalog& catalog, const std::string& name) {
  const v1::CategoryCatalog form = FormCatalog(catalog);
  if (name == "teachers") return TeachersTemplate(*FindForm(form, "basic"));
  if (name == "units") return UnitsTemplate();
  if (name != "basic") {
    if (const v1::CategoryDef* category = FindForm(form, name))
      return CategoryImportTemplate(*category);
  }
  std::vector<std::string> known;
  for (const auto& [code, label] : ImportTemplateNames(catalog))
    known.push_back(absl::StrCat(code, "（", label, "）"));
  return absl::InvalidArgumentError(absl::StrCat(
      "没有名为“", name, "”的导入模板；可选：", absl::StrJoin(known, "、")));
}

absl::StatusOr<std::string> ImportTemplateWorkbook(const ImportTemplate& form) {
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxWriter> writer,
                   XlsxWriter::Create(false));
  lxw_workbook* book = writer->workbook();
  // Excel sheet names: at most 31 characters, none of []:*?/\.
  const std::string data_name = Cut(form.label, 28);
  lxw_worksheet* data = workbook_add_worksheet(book, data_name.c_str());
  lxw_worksheet* guide = workbook_add_worksheet(book, "填写说明");
  lxw_worksheet* codes = workbook_add_worksheet(book, "代码");
  if (data == nullptr || guide == nullptr || codes == nullptr)
    return absl::InternalError("cannot add the template's worksheets");

  lxw_format* required_header = workbook_add_format(book);
  format_set_bold(required_header);
  format_set_bg_color(required_header, 0xDDE7F3);
  format_set_border(required_header, LXW_BORDER_THIN);
  format_set_text_wrap(required_header);
  format_set_font_color(required_header, 0xB00020);
  lxw_format* title = workbook_add_format(book);
  format_set_bold(title);
  format_set_font_size(title, 14);

  // The data sheet: the header people fill under; every cell is text so
  // numbers keep their digits.
  worksheet_set_row(data, 0, 30, nullptr);
  size_t code_column = 0;
  for (size_t c = 0; c < form.columns.size(); ++c) {
    const TemplateColumn& col = form.columns[c];
    const double width =
        std::clamp<double>(Utf8Length(col.column.label) * 2.2 + 4, 12, 36);
    worksheet_set_column(data, c, c, width, writer->text());
    worksheet_write_string(
        data, 0, c, col.column.label.c_str(),
        col.value_required ? required_header : writer->header());

    lxw_data_validation validation = {};
    std::string formula, input_title = Cut(col.column.label, 31),
                         input = Cut(col.rule, 250);
    std::string error = "请从下拉列表中选择；也可以填写代码。";
    if (!col.choices.empty()) {
      // The list lives on the hidden code sheet: Excel caps a list typed
      // into the rule at 255 characters, a range has no such cap.
      const std::string letters = ColumnLetters(code_column);
      worksheet_write_string(codes, 0, code_column, col.column.label.c_str(),
                             writer->header());
      for (size_t r = 0; r < col.choices.size(); ++r)
        worksheet_write_string(codes, r + 1, code_column,
                               col.choices[r].c_str(), writer->text());
      formula = absl::StrCat("='代码'!$", letters, "$2:$", letters, "$",
                             col.choices.size() + 1);
      ++code_column;
      validation.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
      validation.value_formula = formula.data();
      validation.error_type = LXW_VALIDATION_ERROR_TYPE_WARNING;
      validation.error_title = const_cast<char*>("不在列表中");
      validation.error_message = error.data();
    } else {
      validation.validate = LXW_VALIDATION_TYPE_ANY;
    }
    validation.ignore_blank = LXW_VALIDATION_ON;
    validation.show_input = LXW_VALIDATION_ON;
    validation.input_title = input_title.data();
    validation.input_message = input.data();
    worksheet_data_validation_range(data, 1, c, XlsxWriter::kMaxDataRows, c,
                                    &validation);
  }
  worksheet_freeze_panes(data, 1, 0);
  worksheet_activate(data);

  // The guide: what a row is, and each column's rule.
  worksheet_set_column(guide, 0, 0, 22, nullptr);
  worksheet_set_column(guide, 1, 1, 22, nullptr);
  worksheet_set_column(guide, 2, 2, 10, nullptr);
  worksheet_set_column(guide, 3, 3, 60, writer->wrapped());
  worksheet_set_column(guide, 4, 4, 50, writer->wrapped());
  worksheet_write_string(guide, 0, 0,
                         absl::StrCat(form.label, " 导入模板 填写说明").c_str(),
                         title);
  worksheet_write_string(guide, 1, 0, form.note.c_str(), nullptr);
  worksheet_write_string(guide, 2, 0,
                         "在第一个工作表中填写：第一行是表头，请勿修改或删除；"
                         "从第二行起每行一条。表头为红字的列必须填写。"
                         "导入时先试导入（控制台中点“检查文件”），按报告中的行"
                         "号、列和规则改正后再正式导入。",
                         nullptr);
  const char* const kHeader[] = {"列名", "列标识", "必填", "填写规则",
                                 "可选值"};
  for (int c = 0; c < 5; ++c)
    worksheet_write_string(guide, 4, c, kHeader[c], writer->header());
  for (size_t i = 0; i < form.columns.size(); ++i) {
    const TemplateColumn& col = form.columns[i];
    const auto row = static_cast<lxw_row_t>(5 + i);
    worksheet_write_string(guide, row, 0, col.column.label.c_str(),
                           writer->wrapped());
    worksheet_write_string(guide, row, 1, col.column.name.c_str(),
                           writer->wrapped());
    worksheet_write_string(guide, row, 2, col.value_required ? "是" : "否",
                           writer->wrapped());
    worksheet_write_string(guide, row, 3, col.rule.c_str(), writer->wrapped());
    std::string choices = absl::StrJoin(col.choices, "、");
    if (col.choices.size() > 30) {
      choices = absl::StrCat(
          absl::StrJoin(col.choices.begin(), col.choices.begin() + 30, "、"),
          " 等 ", col.choices.size(), " 项，见下拉列表");
    }
    worksheet_write_string(guide, row, 4, choices.c_str(), writer->wrapped());
  }
  worksheet_hide(codes);
  return writer->Finish();
}

}  // namespace ntmis::provincial
