// The workflow's part for category entries, the completeness check and the
// review form (provincial/core/workflow.h).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/teacher/record_validation.h"
#include "provincial/core/access.h"
#include "provincial/core/categories.h"
#include "provincial/core/entries.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teachers.h"
#include "provincial/core/workflow.h"
#include "provincial/core/workflow_internal.h"

namespace ntmis::provincial {
namespace {

bool RequiredFor(const google::protobuf::RepeatedField<int32_t>& categories,
                 int school_category) {
  return std::find(categories.begin(), categories.end(), school_category) !=
         categories.end();
}

std::vector<v1::FieldValue> Given(
    const google::protobuf::RepeatedPtrField<v1::FieldValue>& f) {
  return {f.begin(), f.end()};
}

v1::EntryValues ValuesOf(const v1::EntryView& entry) {
  v1::EntryValues values;
  *values.mutable_values() = entry.values();
  return values;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Workflow::Missing(
    const v1::TeacherView& teacher) {
  std::vector<std::string> missing;
  for (const FieldProblem& p : ValidateTeacherRecord(teacher.record())) {
    // A field not filled in yet: its name is enough; a wrong one: the rule.
    const bool unset = p.value.empty() || p.value == "0";
    missing.push_back(
        unset ? absl::StrCat(p.field, "='': 必填")
              : absl::StrCat(p.field, "='", p.value, "': ", p.rule));
  }
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store_));
  ASSIGN_OR_RETURN(std::vector<v1::EntryView> entries,
                   LoadEntries(store_, teacher.teacher_number(), ""));
  const int school_category = teacher.record().school_category();
  for (const v1::CategoryDef& c : catalog.catalog().categories()) {
    const bool needed =
        c.required_for_all() || RequiredFor(c.required_for(), school_category);
    const v1::EntryView* entry = nullptr;
    for (const v1::EntryView& e : entries)
      if (e.category() == c.code() && entry == nullptr) entry = &e;
    if (needed && entry == nullptr)
      missing.push_back(absl::StrCat("「", c.label(), "」至少填写一条"));
    if (c.code() != kCustomCategory) continue;
    for (const v1::FieldDef& f : c.fields()) {
      const bool required = (f.required() && f.required_for().empty()) ||
                            RequiredFor(f.required_for(), school_category);
      if (required &&
          (entry == nullptr || EntryValue(ValuesOf(*entry), f.name()).empty()))
        missing.push_back(absl::StrCat("「", f.label(), "」（本省指标）必填"));
    }
  }
  return missing;
}

absl::StatusOr<v1::PutEntryResponse> Workflow::PutEntry(
    const User& actor, const v1::PutEntryRequest& request) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store_));
  ASSIGN_OR_RETURN(const v1::CategoryDef* category,
                   catalog.Get(request.category()));
  const bool by_teacher = actor.role == Role::kTeacher;

  int64_t entry_no = request.entry_no();
  std::optional<v1::EntryView> current;
  if (!category->repeated()) {
    ASSIGN_OR_RETURN(current, LoadEntry(store_, teacher.teacher_number(),
                                        category->code(), 1));
    entry_no = current ? 1 : 0;
  } else if (entry_no != 0) {
    ASSIGN_OR_RETURN(current, LoadEntry(store_, teacher.teacher_number(),
                                        category->code(), entry_no));
  }
  if (entry_no != 0 && (!current || current->deleted())) {
    return absl::NotFoundError(absl::StrCat(
        "教师 ", teacher.teacher_number(), " 的「", category->label(),
        "」没有第 ", entry_no, " 条（序号填错，或这一条已删除）"));
  }
  v1::EntryValues base = current ? ValuesOf(*current) : v1::EntryValues();
  v1::EntryValues values = base;
  if (request.delete_entry()) {
    if (entry_no == 0)
      return absl::InvalidArgumentError("entry_no: 删除须指明是第几条");
    if (by_teacher && (category->administration_only() ||
                       category->writer() == v1::WRITER_STAFF))
      return absl::PermissionDeniedError(
          absl::StrCat("「", category->label(),
                       "」由学校或教育行政部门填写，教师本人不能删除"));
  } else {
    ASSIGN_OR_RETURN(
        values, CheckEntry(*category, base, Given(request.fields()), by_teacher,
                           teacher.record().birth_date()));
  }

  v1::PutEntryResponse response;
  if (IsEditable(StateOf(teacher))) {
    ASSIGN_OR_RETURN(
        int64_t written,
        WriteEntry(
            store_, teacher.teacher_number(), category->code(), entry_no,
            values, request.delete_entry(),
            ChangeMeta{actor.username,
                       request.delete_entry() ? "entry.delete" : "entry.put",
                       request.reason(), ""}));
    RETURN_IF_ERROR(txn.Commit());
    ASSIGN_OR_RETURN(
        std::optional<v1::EntryView> entry,
        LoadEntry(store_, teacher.teacher_number(), category->code(), written));
    *response.mutable_entry() = *entry;
    return response;
  }
  if (StateOf(teacher) != TeacherState::kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "教师 ", teacher.teacher_number(), " 的记录为「",
        StateLabel(StateOf(teacher)),
        "」：草稿或已退回的记录直接修改条目，已生效的记录通过变更申请修改，审核"
        "中的记录请等审核结束"));
  }
  if (Blank(request.reason()))
    return absl::InvalidArgumentError("修改已生效的记录须填写原因");
  const bool addition = entry_no == 0;
  ASSIGN_OR_RETURN(
      std::string reviewer,
      ChangeReviewer(actor, teacher.record().school_code(), addition));
  ChangeTarget target{addition ? "addition" : "change", category->code(),
                      entry_no, request.delete_entry()};
  ASSIGN_OR_RETURN(uint64_t id,
                   InsertChange(actor, teacher, reviewer, request.fields(),
                                request.reason(), target));
  RETURN_IF_ERROR(txn.Commit());
  ASSIGN_OR_RETURN(*response.mutable_change_request(), LoadChange(id));
  return response;
}

absl::Status Workflow::ApplyEntryChange(const v1::ChangeRequestView& change,
                                        const User& approver) {
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(change.teacher_number()));
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store_));
  ASSIGN_OR_RETURN(const v1::CategoryDef* category,
                   catalog.Get(change.category()));
  v1::EntryValues base;
  int64_t entry_no = change.entry_no();
  if (!category->repeated() && entry_no == 0) {
    // A single category's entry may have been created since the request.
    ASSIGN_OR_RETURN(
        std::optional<v1::EntryView> existing,
        LoadEntry(store_, change.teacher_number(), category->code(), 1));
    if (existing) entry_no = 1;
  }
  if (entry_no != 0) {
    ASSIGN_OR_RETURN(
        std::optional<v1::EntryView> current,
        LoadEntry(store_, change.teacher_number(), category->code(), entry_no));
    if (!current || current->deleted()) {
      return absl::FailedPreconditionError(
          absl::StrCat("「", category->label(), "」第 ", entry_no,
                       " 条已不存在（已被删除）"));
    }
    base = ValuesOf(*current);
  }
  v1::EntryValues values = base;
  if (!change.delete_entry()) {
    ASSIGN_OR_RETURN(values, CheckEntry(*category, base, Given(change.fields()),
                                        false, teacher.record().birth_date()));
  }
  return WriteEntry(store_, change.teacher_number(), category->code(), entry_no,
                    values, change.delete_entry(),
                    ChangeMeta{change.requested_by(),
                               absl::StrCat("change.", change.kind()),
                               change.reason(), approver.username})
      .status();
}

absl::StatusOr<v1::ListEntriesResponse> Workflow::ListEntries(
    const User& actor, const v1::ListEntriesRequest& request,
    std::vector<std::string>* sensitive) {
  ASSIGN_OR_RETURN(v1::TeacherView teacher,
                   Get(actor, request.teacher_number()));
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store_));
  if (!request.category().empty())
    RETURN_IF_ERROR(catalog.Get(request.category()).status());
  v1::ListEntriesResponse response;
  ASSIGN_OR_RETURN(
      std::vector<v1::EntryView> entries,
      LoadEntries(store_, teacher.teacher_number(), request.category()));
  for (v1::EntryView& e : entries) *response.add_entries() = std::move(e);
  if (request.with_history()) {
    ASSIGN_OR_RETURN(std::vector<v1::EntryView> history,
                     EntryHistory(store_, teacher.teacher_number()));
    for (v1::EntryView& e : history) {
      if (request.category().empty() || e.category() == request.category())
        *response.add_history() = std::move(e);
    }
  }
  for (const v1::CategoryDef& c : catalog.catalog().categories()) {
    if (!c.sensitive()) continue;
    bool read = false;
    for (const auto& e : response.entries())
      read = read || e.category() == c.code();
    for (const auto& e : response.history())
      read = read || e.category() == c.code();
    if (read) sensitive->push_back(c.code());
  }
  return response;
}

absl::StatusOr<v1::ReviewForm> Workflow::ReviewForm(
    const User& actor, const std::string& teacher_number,
    std::vector<std::string>* sensitive, bool with_catalog) {
  v1::ReviewForm form;
  ASSIGN_OR_RETURN(*form.mutable_teacher(), Get(actor, teacher_number));
  v1::ListEntriesRequest all;
  all.set_teacher_number(teacher_number);
  ASSIGN_OR_RETURN(v1::ListEntriesResponse entries,
                   ListEntries(actor, all, sensitive));
  *form.mutable_entries() = std::move(*entries.mutable_entries());
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store_));
  if (with_catalog) *form.mutable_catalog() = catalog.catalog();
  for (v1::FieldValue& v : BasicInformationValues(form.teacher().record()))
    *form.add_basic() = std::move(v);
  ASSIGN_OR_RETURN(std::vector<std::string> missing, Missing(form.teacher()));
  for (std::string& m : missing) form.add_missing(std::move(m));
  ASSIGN_OR_RETURN(std::vector<v1::ChangeRequestView> changes,
                   ChangeRequests(teacher_number));
  for (v1::ChangeRequestView& c : changes) {
    // A request about a sensitive category (ethics) is a read of it too.
    if (!c.category().empty()) {
      absl::StatusOr<const v1::CategoryDef*> def = catalog.Get(c.category());
      if (def.ok() && (*def)->sensitive() &&
          std::find(sensitive->begin(), sensitive->end(), c.category()) ==
              sensitive->end())
        sensitive->push_back(c.category());
    }
    *form.add_change_requests() = std::move(c);
  }
  return form;
}

absl::StatusOr<std::string> Workflow::RevealIdCard(
    const User& actor, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Get(actor, teacher_number));
  if (actor.role == Role::kQuerier) {
    return absl::PermissionDeniedError(
        "身份证件号码只向信息管理员、系统管理员和教师本人显示；查询员看到的记"
        "录不含该号码");
  }
  ASSIGN_OR_RETURN(std::string sealed, SealedIdCard(store_, teacher_number));
  return crypto::Open(seal_key_, sealed);
}

}  // namespace ntmis::provincial
