// template …, indicator …, entry …, teacher form and export … commands.
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/tables/csv.h"
#include "common/teacher/code_tables.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/units.h"
#include "provincial/import/export.h"
#include "provincial/import/import_templates.h"

namespace ntmis::provincial {
namespace {

using cli::Args;
using Stub = v1::ProvincialApi::StubInterface;

// Writes `bytes` to `path`.
absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Template(const Args& args) {
  v1::CategoryCatalog catalog = NationalCatalog();
  if (args.Has("user")) {  // with the province's custom indicators
    ASSIGN_OR_RETURN(auto client, LoggedIn(args));
    ASSIGN_OR_RETURN(catalog,
                     client->Call(&Stub::GetCatalog, v1::CatalogRequest()));
  }
  if (args.positional().empty()) {
    std::vector<std::vector<std::string>> rows{
        {"template", "label", "entries", "written by"}};
    rows.push_back({"units", "单位", "one per unit", "system administrators"});
    rows.push_back({"teachers", "教师基本信息", "one per teacher",
                    "information managers"});
    for (const v1::CategoryDef& c : catalog.categories()) {
      rows.push_back({c.code(), c.label(), c.repeated() ? "history" : "one",
                      c.administration_only() ? "administration only"
                      : c.writer() == v1::WRITER_STAFF
                          ? "school / administration"
                          : "teacher or school"});
    }
    PrintTable(rows, false);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string name, OnePositional(args, "a template name"));
  ASSIGN_OR_RETURN(ImportTemplate form, FindImportTemplate(catalog, name));
  if (args.Has("xlsx")) {
    ASSIGN_OR_RETURN(std::string bytes, ImportTemplateWorkbook(form));
    RETURN_IF_ERROR(WriteFile(args.Get("xlsx"), bytes));
    std::cout << "wrote the " << name << " template (" << form.columns.size()
              << " columns) to " << args.Get("xlsx") << "\n";
    return absl::OkStatus();
  }
  if (!args.Has("describe")) {
    std::vector<std::string> header;
    for (const TemplateColumn& c : form.columns)
      header.push_back(c.column.name);
    std::cout << absl::StrJoin(header, ",") << "\n";
    return absl::OkStatus();
  }
  std::cout << form.name << " — " << form.label << "\n" << form.note << "\n";
  std::vector<std::vector<std::string>> rows{
      {"column", "label", "required", "rule"}};
  for (const TemplateColumn& c : form.columns)
    rows.push_back(
        {c.column.name, c.column.label, c.value_required ? "yes" : "", c.rule});
  PrintTable(rows, false);
  return absl::OkStatus();
}

absl::Status IndicatorDefine(const Args& args) {
  v1::FieldDef field;
  ASSIGN_OR_RETURN(*field.mutable_name(),
                   OnePositional(args, "the indicator's name"));
  field.set_label(args.Get("label"));
  const std::string type = args.Get("type");
  const std::vector<std::pair<std::string, v1::FieldDef::Type>> types = {
      {"text", v1::FieldDef::TEXT},       {"date", v1::FieldDef::DATE},
      {"code", v1::FieldDef::CODE},       {"integer", v1::FieldDef::INTEGER},
      {"decimal", v1::FieldDef::DECIMAL}, {"boolean", v1::FieldDef::BOOLEAN}};
  for (const auto& [n, t] : types)
    if (type == n) field.set_type(t);
  if (field.type() == v1::FieldDef::TYPE_UNSPECIFIED)
    return absl::InvalidArgumentError(
        "--type: text, date, code, integer, decimal or boolean");
  if (args.Has("codes")) {
    for (absl::string_view c :
         absl::StrSplit(args.Get("codes"), ',', absl::SkipEmpty()))
      field.add_codes(std::string(c));
  }
  if (args.Has("range")) {
    std::vector<std::string> bounds = absl::StrSplit(args.Get("range"), "..");
    double lo, hi;
    if (bounds.size() != 2 || !absl::SimpleAtod(bounds[0], &lo) ||
        !absl::SimpleAtod(bounds[1], &hi))
      return absl::InvalidArgumentError("--range MIN..MAX");
    field.set_min(lo);
    field.set_max(hi);
  }
  field.set_required(args.Has("required") || args.Has("required-for"));
  if (args.Has("required-for")) {
    for (absl::string_view c :
         absl::StrSplit(args.Get("required-for"), ',', absl::SkipEmpty())) {
      ASSIGN_OR_RETURN(int code, CodeTable::Of<v1::SchoolCategory>().Parse(c));
      field.add_required_for(code);
    }
  }
  if (args.Has("teacher-writes")) field.set_writer(v1::WRITER_TEACHER);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  RETURN_IF_ERROR(client->Call(&Stub::DefineIndicator, field).status());
  std::cout << "custom indicator " << field.name()
            << " defined; its values are category "
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
  ASSIGN_OR_RETURN(v1::PutEntryResponse done,
                   client->Call(&Stub::PutEntry, request));
  if (done.has_change_request()) {
    std::cout << "change request " << done.change_request().id() << " ("
              << done.change_request().kind() << ") waits for unit "
              << done.change_request().reviewer_unit() << "\n";
  } else {
    std::cout << request.category() << " entry " << done.entry().entry_no()
              << (remove ? " deleted" : " written") << " (version "
              << done.entry().version() << ")\n";
  }
  return absl::OkStatus();
}

void PrintEntries(
    const v1::CategoryCatalog& catalog,
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
      for (const v1::FieldDef& f : c.fields())
        row.push_back(EntryValue(values, f.name()));
      rows.push_back(row);
    }
    std::cout << "\n"
              << c.label() << " (" << c.code() << ")"
              << (rows.size() == 1 ? ": none\n" : "\n");
    if (rows.size() > 1) PrintTable(rows, false);
  }
}

absl::Status EntryList(const Args& args) {
  v1::ListEntriesRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  request.set_category(args.Get("category"));
  request.set_with_history(args.Has("history"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::CategoryCatalog catalog,
                   client->Call(&Stub::GetCatalog, v1::CatalogRequest()));
  ASSIGN_OR_RETURN(v1::ListEntriesResponse list,
                   client->Call(&Stub::ListEntries, request));
  PrintEntries(catalog, list.entries());
  if (request.with_history()) {
    std::vector<std::vector<std::string>> rows{
        {"category", "entry", "version", "action", "by", "at", "values"}};
    for (const auto& e : list.history()) {
      std::string values;
      for (const auto& v : e.values())
        absl::StrAppend(&values, values.empty() ? "" : ", ", v.field(), "=",
                        v.value());
      rows.push_back({e.category(), absl::StrCat(e.entry_no()),
                      absl::StrCat(e.version()), e.change_action(),
                      e.changed_by(), FormatTime(e.updated_unix()),
                      e.deleted() ? "(deleted)" : values});
    }
    std::cout << "\nsuperseded versions\n";
    PrintTable(rows, false);
  }
  return absl::OkStatus();
}

absl::Status TeacherForm(const Args& args) {
  v1::TeacherRequest request;
  ASSIGN_OR_RETURN(*request.mutable_teacher_number(),
                   OnePositional(args, "the teacher number"));
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::ReviewForm form,
                   client->Call(&Stub::GetReviewForm, request));
  const v1::TeacherView& t = form.teacher();
  std::cout << "教师信息审核表  teacher " << t.teacher_number() << "  state "
            << t.state() << "  version " << t.version()
            << "\n\n基本信息 (basic)\n";
  std::vector<std::vector<std::string>> rows{{"field", "value", "label"}};
  for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
    auto column = static_cast<TeacherColumn>(c);
    if (column == kIdCardNumber) continue;
    rows.push_back({TeacherTemplateColumns()[c],
                    TeacherFieldText(t.record(), column),
                    TeacherFieldLabel(t.record(), column)});
  }
  PrintTable(rows, false);
  PrintEntries(form.catalog(), form.entries());
  std::cout << "\ncompleteness: "
            << (form.missing().empty()
                    ? "complete"
                    : absl::StrCat(form.missing_size(), " missing:\n  ",
                                   absl::StrJoin(form.missing(), "\n  ")))
            << "\n";
  return absl::OkStatus();
}

absl::Status ExportCommand(const Args& args) {
  if (!args.Has("out"))
    return absl::InvalidArgumentError("--out FILE is required");
  ASSIGN_OR_RETURN(std::string what,
                   OnePositional(args, "teachers or a category"));
  const std::string path = args.Get("out");
  v1::ExportRequest request;
  request.set_unit_code(args.Get("unit"));
  request.set_state(args.Get("state"));
  // The CLI's default is the form that imports again; --labels gives the
  // one for people (provincial/import/export.h).
  request.set_codes(!args.Has("labels"));
  if (what != "teachers") request.set_category(what);
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  uint64_t bytes = 0;
  if (absl::EndsWithIgnoreCase(path, ".xlsx")) {
    ASSIGN_OR_RETURN(v1::CategoryCatalog catalog,
                     client->Call(&Stub::GetCatalog, v1::CatalogRequest()));
    ASSIGN_OR_RETURN(auto book,
                     ExportWorkbook::Create(catalog, request.category()));
    RETURN_IF_ERROR(client->Export(
        request, [&](const std::string& data) { return book->Feed(data); }));
    ASSIGN_OR_RETURN(std::string workbook, book->Finish());
    RETURN_IF_ERROR(WriteFile(path, workbook));
    bytes = workbook.size();
  } else {
    std::ofstream out(path, std::ios::binary);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
    RETURN_IF_ERROR(client->Export(request, [&](const std::string& data) {
      out.write(data.data(), data.size());
      bytes += data.size();
      return out ? absl::OkStatus() : absl::InternalError("write failed");
    }));
  }
  std::cout << "wrote " << bytes << " bytes to " << path << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> CategoryCommands() {
  return {
      {"template",
       "list the import templates, or print one's header (--describe: its "
       "rules; "
       "--xlsx: the Excel workbook with drop-downs and a guide sheet)",
       "[NAME]",
       {kConfigFlag,
        {"describe", "", "each column's label and rule"},
        {"xlsx", "FILE", "write the template as an Excel workbook"},
        {"server", "HOST:PORT",
         "with --user: include the province's custom indicators"},
        {"user", "NAME", "log in to see the province's custom indicators"},
        {"password-file", "FILE", "file holding the password"}},
       Template},
      {"indicator define",
       "define a custom indicator of the province (never sent nationally)",
       "NAME",
       LoginFlagsWith(
           {{"label", "TEXT", "the label on forms"},
            {"type", "TYPE", "text, date, code, integer, decimal or boolean"},
            {"codes", "LIST", "code type: code=label,code=label,…"},
            {"range", "MIN..MAX", "integer and decimal types"},
            {"required", "", "required for every school category"},
            {"required-for", "LIST",
             "required for these school categories (codes or labels)"},
            {"teacher-writes", "",
             "the teacher may fill it (default: staff only)"}}),
       IndicatorDefine},
      {"entry put",
       "add (or with --entry N change) a category entry of a teacher",
       "TEACHER_NUMBER CATEGORY",
       LoginFlagsWith(
           {{"entry", "N", "the entry to change (default: a new one)"},
            {"set", "FIELD=VALUE", "a field and its value (repeat)"},
            {"reason", "TEXT", "required once the record is effective"}}),
       [](const Args& a) { return EntryPut(a, false); }},
      {"entry delete",
       "delete a category entry (a change request once effective)",
       "TEACHER_NUMBER CATEGORY",
       LoginFlagsWith({{"entry", "N", "the entry"}, {"reason", "TEXT", "why"}}),
       [](const Args& a) { return EntryPut(a, true); }},
      {"entry list", "a teacher's category entries", "TEACHER_NUMBER",
       LoginFlagsWith({{"category", "CODE", "one category"},
                       {"history", "", "also every superseded version"}}),
       EntryList},
      {"teacher form",
       "a teacher's review form: every category, and what is still missing",
       "TEACHER_NUMBER", LoginFlags(), TeacherForm},
      {"export",
       "a unit's teachers (teachers) or one category's entries as CSV, or as "
       "an "
       "Excel workbook when --out ends in .xlsx",
       "WHAT",
       LoginFlagsWith({{"unit", "CODE", "default: your unit"},
                       {"state", "STATE", "teachers: only this state"},
                       {"labels", "",
                        "for people: Chinese headers, labels and unit names "
                        "(default: identifiers and codes, which import "
                        "again)"},
                       {"out", "FILE", "the file to write (.csv or .xlsx)"}}),
       ExportCommand},
  };
}

}  // namespace ntmis::provincial
