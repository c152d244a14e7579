// template …, indicator …, entry …, teacher form and export … commands.
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

using cli::Args;
using Stub = v1::ProvincialApi::StubInterface;

const char* TypeName(v1::FieldDef::Type type) {
  switch (type) {
    case v1::FieldDef::TEXT: return "text";
    case v1::FieldDef::DATE: return "date YYYY-MM-DD";
    case v1::FieldDef::CODE: return "code";
    case v1::FieldDef::INTEGER: return "integer";
    case v1::FieldDef::DECIMAL: return "decimal";
    case v1::FieldDef::BOOLEAN: return "1/0";
    default: return "?";
  }
}

std::string FieldRule(const v1::CategoryDef& category, const v1::FieldDef& f) {
  std::vector<std::string> parts{TypeName(f.type())};
  if (f.required()) parts.push_back(f.required_for().empty() ? "required" : "required for some");
  if (!f.code_table().empty()) parts.push_back(f.code_table());
  if (!f.codes().empty()) parts.push_back(absl::StrJoin(f.codes(), " "));
  if (f.min() < f.max()) parts.push_back(absl::StrCat(f.min(), "..", f.max()));
  if (f.not_future()) parts.push_back("not in the future");
  if (f.after_birth()) parts.push_back("not before birth");
  if (!f.not_before().empty()) parts.push_back("not before " + f.not_before());
  if (WriterOfField(category, f) == v1::WRITER_STAFF) parts.push_back("school/administration only");
  return absl::StrJoin(parts, "; ");
}

// The template header of `name` from `catalog`, or a description of it.
absl::Status PrintTemplate(const v1::CategoryCatalog& catalog, const std::string& name,
                           bool describe) {
  if (name == "teachers" || name == "units") {
    const auto& columns = name == "teachers" ? TeacherTemplateColumns() : UnitTemplateColumns();
    std::cout << absl::StrJoin(columns, ",") << "\n";
    return absl::OkStatus();
  }
  for (const v1::CategoryDef& c : catalog.categories()) {
    if (c.code() != name) continue;
    if (!describe) {
      std::cout << absl::StrJoin(CategoryTemplateColumns(c), ",") << "\n";
      return absl::OkStatus();
    }
    std::cout << c.code() << " — " << c.label() << (c.repeated() ? " (a history: any number of entries)" : " (one entry)")
              << (c.administration_only() ? ", administration only" : "")
              << (c.sensitive() ? ", reads audited" : "") << "\n";
    std::vector<std::vector<std::string>> rows{{"column", "label", "rule"}};
    rows.push_back({"teacher_number", "教师编号", "required"});
    rows.push_back({"entry_no", "条目号", c.repeated() ? "empty: a new entry; N: replace entry N" : "empty or 1"});
    for (const v1::FieldDef& f : c.fields()) rows.push_back({f.name(), f.label(), FieldRule(c, f)});
    PrintTable(rows, false);
    return absl::OkStatus();
  }
  std::vector<std::string> names{"teachers", "units"};
  for (const v1::CategoryDef& c : catalog.categories()) names.push_back(c.code());
  return absl::InvalidArgumentError(absl::StrCat("no template '", name, "'; templates: ",
                                                 absl::StrJoin(names, ", ")));
}

absl::Status Template(const Args& args) {
  v1::CategoryCatalog catalog = NationalCatalog();
  if (args.Has("user")) {  // with the province's custom indicators
    ASSIGN_OR_RETURN(auto client, LoggedIn(args));
    ASSIGN_OR_RETURN(catalog, client->Call(&Stub::GetCatalog, v1::CatalogRequest()));
  }
  if (args.positional().empty()) {
    std::vector<std::vector<std::string>> rows{{"template", "label", "entries", "written by"}};
    rows.push_back({"units", "单位", "one per unit", "system administrators"});
    rows.push_back({"teachers", "基本信息", "one per teacher", "information managers"});
    for (const v1::CategoryDef& c : catalog.categories()) {
      rows.push_back({c.code(), c.label(), c.repeated() ? "history" : "one",
                      c.administration_only() ? "administration only"
                      : c.writer() == v1::WRITER_STAFF ? "school / administration"
                                                       : "teacher or school"});
    }
    PrintTable(rows, false);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string name, OnePositional(args, "a template name"));
  return PrintTemplate(catalog, name, args.Has("describe"));
}

absl::Status IndicatorDefine(const Args& args) {
  v1::FieldDef field;
  ASSIGN_OR_RETURN(*field.mutable_name(), OnePositional(args, "the indicator's name"));
  field.set_label(args.Get("label"));
  const std::string type = args.Get("type");
  const std::vector<std::pair<std::string, v1::FieldDef::Type>> types = {
      {"text", v1::FieldDef::TEXT},       {"date", v1::FieldDef::DATE},
      {"code", v1::FieldDef::CODE},       {"integer", v1::FieldDef::INTEGER},
      {"decimal", v1::FieldDef::DECIMAL}, {"boolean", v1::FieldDef::BOOLEAN}};
  for (const auto& [n, t] : types)
    if (type == n) field.set_type(t);
  if (field.type() == v1::FieldDef::TYPE_UNSPECIFIED)
    return absl::InvalidArgumentError("--type: text, date, code, integer, decimal or boolean");
  if (args.Has("codes")) {
    for (absl::string_view c : absl::StrSplit(args.Get("codes"), ',', absl::SkipEmpty()))
      field.add_codes(std::string(c));
  }
  if (args.Has("range")) {
    std::vector<std::string> bounds = absl::StrSplit(args.Get("range"), "..");
    double lo, hi;
    if (bounds.size() != 2 || !absl::SimpleAtod(bounds[0], &lo) || !absl::SimpleAtod(bounds[1], &hi))
      return absl::InvalidArgumentError("--range MIN..MAX");
    field.set_min(lo);
    field.set_max(hi);
  }
  field.set_required(args.Has("required") || args.Has("required-for"));
  if (args.Has("required-for")) {
    for (absl::string_view c : absl::StrSplit(args.Get("required-for"), ',', absl::SkipEmpty())) {
      ASSIGN_OR_RETURN(int code, CodeTable::Of<v1::SchoolCategory>().Parse(c));
      field.add_required_for(code);
    }
  }
  if (args.Has("teacher-writes")) field.set_writer(v1::WRITER_TEACHER);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  RETURN_IF_ERROR(client->Call(&Stub::DefineIndicator, field).status());
  std::cout << "custom indicator " << field.name() << " defined; its values are category "
            << "'custom' (never sent to the national node)\n";
  return absl::OkStatus();
}

absl::Status EntryPut(const Args& args, bool remove) {
  if (args.positional().size() != 2)
    return absl::InvalidArgumentError("give TEACHER_NUMBER CATEGORY");
  v1::PutEntryRequest request;
  request.set_teacher_number(args.positional()[0]);
  request.set_category(args.positional()[1]);
  ASSIGN_OR_RETURN(int64_t entry, args.GetInt("entry", 0));
  request.set_entry_no(entry);
  request.set_delete_entry(remove);
  request.set_reason(args.Get("reason"));
  RETURN_IF_ERROR(AddSetFlags(args, request.mutable_fields()));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::PutEntryResponse done, client->Call(&Stub::PutEntry, request));
  if (done.has_change_request()) {
    std::cout << "change request " << done.change_request().id() << " ("
              << done.change_request().kind() << ") waits for unit "
              << done.change_request().reviewer_unit() << "\n";
  } else {
    std::cout << request.category() << " entry " << done.entry().entry_no()
              << (remove ? " deleted" : " written") << " (version " << done.entry().version()
              << ")\n";
  }
  return absl::OkStatus();
}

void PrintEntries(const v1::CategoryCatalog& catalog,
                  const google::protobuf::RepeatedPtrField<v1::EntryView>& entries) {
  for (const v1::CategoryDef& c : catalog.categories()) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"entry"};
    for (const v1::FieldDef& f : c.fields()) header.push_back(f.label());
    rows.push_back(header);
    for (const v1::EntryView& e : entries) {
      if (e.category() != c.code()) continue;
      v1::EntryValues values;
      *values.mutable_values() = e.values();
      std::vector<std::string> row{absl::StrCat(e.entry_no())};
      for (const v1::FieldDef& f : c.fields()) row.push_back(EntryValue(values, f.name()));
      rows.push_back(row);
    }
    std::cout << "\n" << c.label() << " (" << c.code() << ")"
              << (rows.size() == 1 ? ": none\n" : "\n");
    if (rows.size() > 1) PrintTable(rows, false);
  }
}

absl::Status EntryList(const Args& args) {
  v1::ListEntriesRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(), OnePositional(args, "the teacher number"));
  request.set_category(args.Get("category"));
  request.set_with_history(args.Has("history"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CategoryCatalog catalog, client->Call(&Stub::GetCatalog, v1::CatalogRequest()));
  ASSIGN_OR_RETURN(v1::ListEntriesResponse list, client->Call(&Stub::ListEntries, request));
  PrintEntries(catalog, list.entries());
  if (request.with_history()) {
    std::vector<std::vector<std::string>> rows{{"category", "entry", "version", "action", "by", "at", "values"}};
    for (const auto& e : list.history()) {
      std::string values;
      for (const auto& v : e.values()) absl::StrAppend(&values, values.empty() ? "" : ", ", v.field(), "=", v.value());
      rows.push_back({e.category(), absl::StrCat(e.entry_no()), absl::StrCat(e.version()),
                      e.change_action(), e.changed_by(), FormatTime(e.updated_unix()),
                      e.deleted() ? "(deleted)" : values});
    }
    std::cout << "\nsuperseded versions\n";
    PrintTable(rows, false);
  }
  return absl::OkStatus();
}

absl::Status TeacherForm(const Args& args) {
  v1::TeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(), OnePositional(args, "the teacher number"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ReviewForm form, client->Call(&Stub::GetReviewForm, request));
  const v1::TeacherView& t = form.teacher();
  std::cout << "教师信息审核表  teacher " << t.teacher_number() << "  state " << t.state()
            << "  version " << t.version() << "\n\n基本信息 (basic)\n";
  std::vector<std::vector<std::string>> rows{{"field", "value", "label"}};
  for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
    auto column = static_cast<TeacherColumn>(c);
    if (column == kIdCardNumber) continue;
    rows.push_back({TeacherTemplateColumns()[c], TeacherFieldText(t.record(), column),
                    TeacherFieldLabel(t.record(), column)});
  }
  PrintTable(rows, false);
  PrintEntries(form.catalog(), form.entries());
  std::cout << "\ncompleteness: "
            << (form.missing().empty() ? "complete"
                                       : absl::StrCat(form.missing_size(), " missing:\n  ",
                                                      absl::StrJoin(form.missing(), "\n  ")))
            << "\n";
  return absl::OkStatus();
}

absl::Status ExportCommand(const Args& args) {
  if (!args.Has("out")) return absl::InvalidArgumentError("--out FILE is required");
  ASSIGN_OR_RETURN(std::string what, OnePositional(args, "teachers or a category"));
  v1::ExportRequest request;
  request.set_unit_code(args.Get("unit"));
  request.set_state(args.Get("state"));
  if (what != "teachers") request.set_category(what);
  std::ofstream out(args.Get("out"), std::ios::binary);
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", args.Get("out")));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  uint64_t bytes = 0;
  RETURN_IF_ERROR(client->Export(request, [&](const std::string& data) {
    out.write(data.data(), data.size());
    bytes += data.size();
    return out ? absl::OkStatus() : absl::InternalError("write failed");
  }));
  std::cout << "wrote " << bytes << " bytes to " << args.Get("out") << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> CategoryCommands() {
  return {
      {"template", "list the import templates, or print one's header (--describe: its rules)",
       "[NAME]",
       {kConfigFlag, {"describe", "", "each column's label and rule"},
        {"server", "HOST:PORT", "with --user: include the province's custom indicators"},
        {"user", "NAME", "log in to see the province's custom indicators"},
        {"password-file", "FILE", "file holding the password"}},
       Template},
      {"indicator define", "define a custom indicator of the province (never sent nationally)",
       "NAME",
       LoginFlagsWith({{"label", "TEXT", "the label on forms"},
                       {"type", "TYPE", "text, date, code, integer, decimal or boolean"},
                       {"codes", "LIST", "code type: code=label,code=label,…"},
                       {"range", "MIN..MAX", "integer and decimal types"},
                       {"required", "", "required for every school category"},
                       {"required-for", "LIST", "required for these school categories (codes or labels)"},
                       {"teacher-writes", "", "the teacher may fill it (default: staff only)"}}),
       IndicatorDefine},
      {"entry put", "add (or with --entry N change) a category entry of a teacher",
       "TEACHER_NUMBER CATEGORY",
       LoginFlagsWith({{"entry", "N", "the entry to change (default: a new one)"},
                       {"set", "FIELD=VALUE", "a field and its value (repeat)"},
                       {"reason", "TEXT", "required once the record is effective"}}),
       [](const Args& a) { return EntryPut(a, false); }},
      {"entry delete", "delete a category entry (a change request once effective)",
       "TEACHER_NUMBER CATEGORY",
       LoginFlagsWith({{"entry", "N", "the entry"}, {"reason", "TEXT", "why"}}),
       [](const Args& a) { return EntryPut(a, true); }},
      {"entry list", "a teacher's category entries", "TEACHER_NUMBER",
       LoginFlagsWith({{"category", "CODE", "one category"},
                       {"history", "", "also every superseded version"}}),
       EntryList},
      {"teacher form", "a teacher's review form: every category, and what is still missing",
       "TEACHER_NUMBER", LoginFlags(), TeacherForm},
      {"export", "a unit's teachers (teachers) or one category's entries as CSV", "WHAT",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"},
                       {"state", "STATE", "teachers: only this state"},
                       {"out", "FILE", "the CSV file to write"}}),
       ExportCommand},
  };
}

}  // namespace ntmis::provincial
