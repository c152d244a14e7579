#include "provincial/import/category_import.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/status_macros.h"
#include "common/teacher/teacher_number.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/access.h"
#include "provincial/core/entries.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {

struct CategoryRowHandler::Rows final : PreparedRows {
  std::vector<Row> rows;
  size_t size() const override { return rows.size(); }
};

absl::StatusOr<std::unique_ptr<CategoryRowHandler>> CategoryRowHandler::Create(
    Store& store, const User& user, const std::string& category) {
  std::unique_ptr<CategoryRowHandler> h(new CategoryRowHandler());
  ASSIGN_OR_RETURN(std::string province, store.Province());
  const bool province_staff =
      user.unit_code == province &&
      (user.role == Role::kSysAdmin || user.role == Role::kManager);
  if (!province_staff)
    RETURN_IF_ERROR(CheckRole(user, {Role::kManager}, "导入信息"));
  h->actor_ = user.username;
  ASSIGN_OR_RETURN(h->catalog_, Catalog::Load(store));
  ASSIGN_OR_RETURN(h->category_, h->catalog_.Get(category));
  h->columns_ = CategoryTemplate(*h->category_);
  h->whole_province_ = user.unit_code == province;
  if (!h->whole_province_) {
    ASSIGN_OR_RETURN(std::vector<std::string> schools,
                     SchoolsUnder(store, user.unit_code));
    h->schools_.insert(schools.begin(), schools.end());
  }
  return h;
}

bool CategoryRowHandler::Prepare(const std::vector<std::string>& fields,
                                 const ColumnIndex& index,
                                 RowProblems& problems) {
  Row row{problems.row(),
          std::string(absl::StripAsciiWhitespace(fields[index[0]])),
          0,
          {}};
  if (!IsValidTeacherNumber(row.teacher_number))
    problems.Add("teacher_number", row.teacher_number,
                 "须为 12 位教师编号（含校验位）");
  std::string entry = std::string(absl::StripAsciiWhitespace(fields[index[1]]));
  if (!entry.empty() &&
      (!absl::SimpleAtoi(entry, &row.entry_no) || row.entry_no < 1)) {
    problems.Add("entry_no", entry, "新增一条时留空；替换已有的一条时填其序号");
  } else if (!category_->repeated() && row.entry_no > 1) {
    problems.Add(
        "entry_no", entry,
        absl::StrCat("「", category_->label(), "」只有一条：留空或填 1"));
  }
  std::vector<v1::FieldValue> given;
  for (int f = 0; f < category_->fields_size(); ++f) {
    v1::FieldValue v;
    v.set_field(category_->fields(f).name());
    v.set_value(fields[index[2 + f]]);
    given.push_back(std::move(v));
  }
  // Dates after birth are checked by the writer, which reads the record.
  std::vector<FieldProblem> broken;
  absl::StatusOr<v1::EntryValues> values =
      CheckEntry(*category_, v1::EntryValues(), given, false, "", &broken);
  if (!values.ok()) {
    for (const FieldProblem& p : broken) problems.Add(p.field, p.value, p.rule);
    if (problems.empty())
      problems.Add("", "", std::string(values.status().message()));
  }
  if (!problems.empty()) return false;
  row.values = std::move(*values);
  prepared_.push_back(std::move(row));
  return true;
}

std::unique_ptr<PreparedRows> CategoryRowHandler::TakePrepared() {
  auto rows = std::make_unique<Rows>();
  rows->rows.swap(prepared_);
  return rows;
}

absl::StatusOr<uint64_t> CategoryRowHandler::Write(
    Store& store, PreparedRows& prepared,
    std::vector<v1::ImportProblem>* problems) {
  if (!writer_) writer_.emplace(store);
  auto refuse = [problems](const Row& row, const std::string& column,
                           const std::string& value, std::string rule) {
    v1::ImportProblem p;
    p.set_row(row.row);
    p.set_column(column);
    p.set_value(value);
    p.set_rule(std::move(rule));
    problems->push_back(std::move(p));
  };
  const ChangeMeta meta{actor_, absl::StrCat("import.", category_->code()), "",
                        ""};
  uint64_t written = 0;
  for (Row& row : static_cast<Rows&>(prepared).rows) {
    absl::StatusOr<StoredTeacher> teacher =
        LoadTeacher(store, row.teacher_number);
    if (absl::IsNotFound(teacher.status())) {
      refuse(row, "teacher_number", row.teacher_number, "本省没有这个教师编号");
      continue;
    }
    RETURN_IF_ERROR(teacher.status());
    const v1::TeacherRecord& record = teacher->record;
    const std::string& school = record.school_code();
    if (!whole_province_ && !schools_.contains(school)) {
      refuse(row, "teacher_number", row.teacher_number,
             absl::StrCat("该教师属于学校 ", school,
                          "，不在导入账号的管辖范围内"));
      continue;
    }
    if (!IsActive(teacher->state)) {
      refuse(row, "teacher_number", row.teacher_number,
             absl::StrCat("该教师的状态为「", StateLabel(teacher->state),
                          "」，只能为在本省的教师录入信息"));
      continue;
    }
    bool dates_ok = true;
    for (const v1::FieldValue& v : row.values.values()) {
      for (const v1::FieldDef& def : category_->fields()) {
        if (def.name() != v.field() || !def.after_birth()) continue;
        absl::StatusOr<std::string> checked =
            CheckFieldValue(def, v.value(), record.birth_date());
        if (!checked.ok()) {
          refuse(row, def.name(), v.value(),
                 FieldRule(checked.status(), def.name(), v.value()));
          dates_ok = false;
        }
      }
    }
    if (!dates_ok) continue;
    int64_t entry_no = row.entry_no;
    if (!category_->repeated()) {
      ASSIGN_OR_RETURN(
          std::optional<v1::EntryView> existing,
          LoadEntry(store, row.teacher_number, category_->code(), 1));
      entry_no = existing ? 1 : 0;
    }
    absl::StatusOr<int64_t> done =
        writer_->Write(row.teacher_number, category_->code(), entry_no,
                       row.values, false, meta);
    if (absl::IsNotFound(done.status())) {
      refuse(row, "entry_no", absl::StrCat(row.entry_no),
             std::string(done.status().message()));
      continue;
    }
    RETURN_IF_ERROR(done.status());
    ++written;
  }
  return written;
}

}  // namespace ntmis::provincial
