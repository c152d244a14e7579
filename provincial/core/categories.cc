#include "provincial/core/categories.h"

#include <cstdlib>
#include <ctime>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/tables/text_encoding.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/contact_formats.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "provincial/core/access.h"
#include "provincial/core/teacher_fields.h"

namespace ntmis::provincial {

extern const char kCategoryCatalogText[];  // data/category_catalog.cc.in

namespace {

const CodeTable* TableOf(const v1::FieldDef& field) {
  if (field.code_table().empty()) return nullptr;
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindEnumTypeByName(
          field.code_table());
  return descriptor == nullptr ? nullptr : &CodeTable::For(descriptor);
}

// The code and label of "code=label".
std::pair<std::string, std::string> SplitCode(const std::string& entry) {
  std::pair<std::string, std::string> parts =
      absl::StrSplit(entry, absl::MaxSplits('=', 1));
  return parts;
}

std::string AllowedCodes(const v1::FieldDef& field) {
  if (const CodeTable* table = TableOf(field)) return table->AllowedValues();
  std::vector<std::string> allowed;
  for (const std::string& c : field.codes()) {
    auto [code, label] = SplitCode(c);
    allowed.push_back(absl::StrCat(code, " ", label));
  }
  return absl::StrJoin(allowed, ", ");
}

absl::Status Bad(const v1::FieldDef& field, const std::string& value,
                 absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(field.name(), "='", value, "': ", rule));
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 40 || !absl::ascii_islower(name[0]))
    return false;
  for (char c : name)
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_')
      return false;
  return true;
}

std::string Range(const v1::FieldDef& field) {
  return absl::StrCat("须为 ", field.min(), " 至 ", field.max(), " 之间的数");
}

}  // namespace

const v1::CategoryCatalog& NationalCatalog() {
  static const v1::CategoryCatalog* catalog = [] {
    auto* c = new v1::CategoryCatalog;
    if (!google::protobuf::TextFormat::ParseFromString(kCategoryCatalogText,
                                                       c)) {
      std::fprintf(stderr, "the shipped category catalog does not parse\n");
      std::abort();
    }
    return c;
  }();
  return *catalog;
}

std::string FieldValueLabel(const v1::FieldDef& field,
                            const std::string& value) {
  if (field.type() == v1::FieldDef::BOOLEAN)
    return value == "1" ? "是" : value == "0" ? "否" : value;
  if (field.type() != v1::FieldDef::CODE || value.empty()) return value;
  for (const std::string& c : field.codes()) {
    const size_t eq = c.find('=');
    if (eq != std::string::npos && c.substr(0, eq) == value)
      return c.substr(eq + 1);
  }
  if (const auto* e = google::protobuf::DescriptorPool::generated_pool()
                          ->FindEnumTypeByName(field.code_table())) {
    const CodeTable& table = CodeTable::For(e);
    absl::StatusOr<int> parsed = table.Parse(value);
    if (parsed.ok()) return table.Label(*parsed);
  }
  return value;
}

std::string CategoryLabel(const std::string& code) {
  for (const v1::CategoryDef& c : NationalCatalog().categories())
    if (c.code() == code) return c.label();
  return code;
}

absl::StatusOr<Catalog> Catalog::Load(Store& store) {
  Catalog c;
  c.catalog_ = NationalCatalog();
  v1::CategoryDef* custom = c.catalog_.add_categories();
  custom->set_code(kCustomCategory);
  custom->set_label("本省自定义指标");
  custom->set_writer(v1::WRITER_STAFF);
  ASSIGN_OR_RETURN(
      sql::Statement defs,
      store.db().Prepare(
          "SELECT definition FROM custom_indicators ORDER BY rowid"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, defs.Step());
    if (!row) break;
    if (!custom->add_fields()->ParseFromString(std::string(defs.ColumnBlob(0))))
      return absl::DataLossError(
          "a stored custom indicator definition is unreadable");
  }
  return c;
}

absl::StatusOr<const v1::CategoryDef*> Catalog::Get(
    const std::string& code) const {
  for (const v1::CategoryDef& c : catalog_.categories()) {
    if (c.code() == code) return &c;
  }
  std::vector<std::string> codes;
  for (const v1::CategoryDef& c : catalog_.categories())
    codes.push_back(c.code());
  return absl::InvalidArgumentError(absl::StrCat(
      "没有信息类别「", code, "」；可选：", absl::StrJoin(codes, ", ")));
}

v1::Writer WriterOfField(const v1::CategoryDef& category,
                         const v1::FieldDef& field) {
  if (category.administration_only()) return v1::WRITER_STAFF;
  return field.writer() != v1::WRITER_UNSPECIFIED ? field.writer()
                                                  : category.writer();
}

absl::StatusOr<std::string> CheckFieldValue(const v1::FieldDef& field,
                                            const std::string& raw,
                                            const std::string& birth_date) {
  const std::string value(absl::StripAsciiWhitespace(raw));
  if (value.empty()) return value;
  switch (field.type()) {
    case v1::FieldDef::TEXT: {
      uint32_t max = field.max_length() == 0 ? 200 : field.max_length();
      if (!IsValidUtf8(value) || Utf8Length(value) > max)
        return Bad(field, value, absl::StrCat("文本，不超过 ", max, " 个字符"));
      switch (field.format()) {
        case v1::FieldDef::MOBILE:
          if (!IsMobileNumber(value))
            return Bad(field, value,
                       "须为 11 位手机号码，以 13–19 开头，如 13800138000");
          break;
        case v1::FieldDef::PHONE:
          if (!IsPhoneNumber(value))
            return Bad(field, value,
                       "须为电话号码：区号-号码（如 020-83112233，可带分机 "
                       "-801），或 11 位手机号码");
          break;
        case v1::FieldDef::EMAIL:
          if (!IsEmailAddress(value))
            return Bad(field, value, "须为电子邮箱地址，如 wang@school.edu.cn");
          break;
        default:
          break;
      }
      return value;
    }
    case v1::FieldDef::DATE: {
      std::optional<Date> date = ParseEnteredDate(value);
      if (!date)
        return Bad(field, value,
                   "须为真实日期，如 2010-09-01、2010/9/1 或 2010年9月1日");
      if (field.not_future() && Today() < *date)
        return Bad(field, value, "不能晚于今天");
      std::optional<Date> birth = ParseDate(birth_date);
      if (field.after_birth() && birth && *date < *birth)
        return Bad(field, value, absl::StrCat("不能早于出生日期 ", birth_date));
      return date->ToString();
    }
    case v1::FieldDef::CODE: {
      if (const CodeTable* table = TableOf(field)) {
        absl::StatusOr<int> code = table->Parse(value);
        if (!code.ok()) return Bad(field, value, code.status().message());
        return table->Code(*code);
      }
      for (const std::string& c : field.codes()) {
        auto [code, label] = SplitCode(c);
        if (value == code || value == label) return code;
      }
      return Bad(
          field, value,
          absl::StrCat("不是有效的代码或名称；可选：", AllowedCodes(field)));
    }
    case v1::FieldDef::INTEGER: {
      int64_t n;
      if (!absl::SimpleAtoi(value, &n)) return Bad(field, value, "须为整数");
      if (field.min() < field.max() && (n < field.min() || n > field.max()))
        return Bad(field, value, Range(field));
      return absl::StrCat(n);
    }
    case v1::FieldDef::DECIMAL: {
      double d;
      if (!absl::SimpleAtod(value, &d) ||
          value.find_first_not_of("0123456789.-") != std::string::npos)
        return Bad(field, value, "须为数字，如 12.5");
      if (field.min() < field.max() && (d < field.min() || d > field.max()))
        return Bad(field, value, Range(field));
      return value;
    }
    case v1::FieldDef::BOOLEAN: {
      std::string v = absl::AsciiStrToLower(value);
      if (v == "1" || v == "是" || v == "true" || v == "y")
        return std::string("1");
      if (v == "0" || v == "否" || v == "false" || v == "n")
        return std::string("0");
      return Bad(field, value, "填 1（是）或 0（否）");
    }
    default:
      return Bad(field, value, "the field has no type");
  }
}

v1::CategoryCatalog FormCatalog(const v1::CategoryCatalog& catalog) {
  v1::CategoryCatalog form;
  form.set_version(catalog.version());
  *form.add_categories() = BasicInformationForm();
  for (const v1::CategoryDef& c : catalog.categories())
    *form.add_categories() = c;
  for (v1::CategoryDef& c : *form.mutable_categories()) {
    for (v1::FieldDef& f : *c.mutable_fields()) {
      const CodeTable* table = TableOf(f);
      if (table == nullptr) continue;
      for (int v : table->values())
        f.add_codes(absl::StrCat(table->Code(v), "=", table->Label(v)));
    }
  }
  return form;
}

std::string FieldRule(const absl::Status& status, const std::string& field,
                      const std::string& value) {
  absl::string_view message = status.message();
  absl::ConsumePrefix(&message, absl::StrCat(field, "='", value, "': "));
  return std::string(message);
}

std::string EntryValue(const v1::EntryValues& values,
                       const std::string& field) {
  for (const v1::FieldValue& v : values.values()) {
    if (v.field() == field) return v.value();
  }
  return "";
}

absl::StatusOr<v1::EntryValues> CheckEntry(
    const v1::CategoryDef& category, const v1::EntryValues& base,
    const std::vector<v1::FieldValue>& given, bool by_teacher,
    const std::string& birth_date, std::vector<FieldProblem>* problems_out) {
  std::vector<FieldProblem> problems;
  absl::flat_hash_map<std::string, std::string> values;
  absl::flat_hash_set<std::string>
      broken;  // reported once, not also as missing
  for (const v1::FieldValue& v : base.values()) values[v.field()] = v.value();
  for (const v1::FieldValue& g : given) {
    const v1::FieldDef* field = nullptr;
    for (const v1::FieldDef& f : category.fields())
      if (f.name() == g.field()) field = &f;
    if (field == nullptr) {
      std::vector<std::string> names;
      for (const v1::FieldDef& f : category.fields()) names.push_back(f.name());
      return absl::InvalidArgumentError(
          absl::StrCat("「", category.label(), "」没有字段「", g.field(),
                       "」；可选：", absl::StrJoin(names, ", ")));
    }
    if (by_teacher && WriterOfField(category, *field) == v1::WRITER_STAFF) {
      return absl::PermissionDeniedError(absl::StrCat(
          category.code(), ".", field->name(),
          category.administration_only() ? "：只由教育行政部门记录"
                                         : "：由学校或教育行政部门填写",
          "；教师本人可以查看，不能填写"));
    }
    absl::StatusOr<std::string> checked =
        CheckFieldValue(*field, g.value(), birth_date);
    if (!checked.ok()) {
      const std::string value(absl::StripAsciiWhitespace(g.value()));
      problems.push_back({field->name(), value,
                          FieldRule(checked.status(), field->name(), value)});
      broken.insert(field->name());
    } else {
      values[field->name()] = *checked;
    }
  }
  v1::EntryValues out;
  for (const v1::FieldDef& f : category.fields()) {
    auto it = values.find(f.name());
    bool set = it != values.end() && !it->second.empty();
    if (!set && f.required() && f.required_for().empty() &&
        category.code() != kCustomCategory && !broken.contains(f.name()))
      problems.push_back(
          {f.name(), "", absl::StrCat("必填（", f.label(), "）")});
    if (!set) continue;
    v1::FieldValue* v = out.add_values();
    v->set_field(f.name());
    v->set_value(it->second);
  }
  // Date order within the entry (an end not before its start).
  for (const v1::FieldDef& f : category.fields()) {
    if (f.not_before().empty()) continue;
    const v1::FieldDef* first = nullptr;
    for (const v1::FieldDef& g : category.fields())
      if (g.name() == f.not_before()) first = &g;
    auto end = values.find(f.name());
    auto start = values.find(f.not_before());
    if (first == nullptr || end == values.end() || start == values.end() ||
        end->second.empty() || start->second.empty())
      continue;
    // Both are checked dates, YYYY-MM-DD, so they compare as text.
    if (end->second < start->second) {
      problems.push_back({f.name(), end->second,
                          absl::StrCat("不能早于「", first->label(), "」（",
                                       first->name(), "）", start->second)});
    }
  }
  if (problems.empty()) return out;
  std::string message =
      absl::StrJoin(problems, "; ", [](std::string* o, const FieldProblem& p) {
        absl::StrAppend(o, p.field, "='", p.value, "': ", p.rule);
      });
  if (problems_out != nullptr) *problems_out = std::move(problems);
  return absl::InvalidArgumentError(message);
}

std::vector<std::string> CategoryTemplateColumns(
    const v1::CategoryDef& category) {
  std::vector<std::string> columns{"teacher_number", "entry_no"};
  for (const v1::FieldDef& f : category.fields()) columns.push_back(f.name());
  return columns;
}

std::vector<TableColumn> CategoryTemplate(const v1::CategoryDef& category) {
  std::vector<TableColumn> columns(2);
  columns[0].name = "teacher_number";
  columns[0].label = "教师编号";
  columns[1].name = "entry_no";
  columns[1].label = "条目序号";
  for (const v1::FieldDef& f : category.fields()) {
    TableColumn c;
    c.name = f.name();
    c.label = f.label();
    if (f.type() == v1::FieldDef::TEXT)
      c.max_chars = f.max_length() == 0 ? 200 : f.max_length();
    columns.push_back(std::move(c));
  }
  return columns;
}

absl::Status CheckCustomIndicator(const v1::FieldDef& field) {
  std::vector<std::string> problems;
  if (!ValidName(field.name()))
    problems.push_back(absl::StrCat("name='", field.name(),
                                    "': lower-case letters, digits and "
                                    "'_', starting with a letter, at most 40"));
  for (const char* reserved : {"teacher_number", "entry_no"})
    if (field.name() == reserved)
      problems.push_back(
          absl::StrCat("name='", reserved, "': 是系统保留的字段名，请换一个"));
  if (field.label().empty() || field.label().size() > 100 ||
      !IsValidUtf8(field.label()))
    problems.push_back(
        absl::StrCat("label='", field.label(), "': 必填，不超过 100 字节"));
  switch (field.type()) {
    case v1::FieldDef::CODE:
      if (field.codes().empty() && TableOf(field) == nullptr)
        problems.push_back(
            "codes: a CODE indicator needs its code list (code=label, ...) or "
            "a "
            "national code table");
      for (const std::string& c : field.codes()) {
        auto [code, label] = SplitCode(c);
        if (code.empty() || label.empty())
          problems.push_back(absl::StrCat("codes='", c, "': write code=label"));
      }
      break;
    case v1::FieldDef::INTEGER:
    case v1::FieldDef::DECIMAL:
      if (field.min() > field.max())
        problems.push_back(absl::StrCat("range ", field.min(), "..",
                                        field.max(),
                                        ": min must not exceed max"));
      break;
    case v1::FieldDef::TEXT:
    case v1::FieldDef::DATE:
    case v1::FieldDef::BOOLEAN:
      break;
    default:
      problems.push_back("type: text, date, code, integer, decimal or boolean");
  }
  for (int category : field.required_for()) {
    if (!CodeTable::Of<v1::SchoolCategory>().Contains(category))
      problems.push_back(
          absl::StrCat("required_for='", category, "': school categories are ",
                       CodeTable::Of<v1::SchoolCategory>().AllowedValues()));
  }
  if (!problems.empty())
    return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

absl::Status DefineCustomIndicator(Store& store, const User& actor,
                                   const v1::FieldDef& field) {
  ASSIGN_OR_RETURN(std::string province, store.Province());
  RETURN_IF_ERROR(CheckProvinceLevel(actor, province,
                                     {Role::kSysAdmin, Role::kManager},
                                     "defining custom indicators"));
  RETURN_IF_ERROR(CheckCustomIndicator(field));
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store.db().Prepare("INSERT INTO custom_indicators(name, definition, "
                         "defined_by, defined_unix) VALUES (?, ?, ?, ?)"));
  insert.Bind(1, field.name())
      .BindBlob(2, field.SerializeAsString())
      .Bind(3, actor.username);
  insert.Bind(4, static_cast<int64_t>(std::time(nullptr)));
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(
        absl::StrCat("自定义指标 ", field.name(), " 已经定义过"));
  }
  return inserted;
}

}  // namespace ntmis::provincial
