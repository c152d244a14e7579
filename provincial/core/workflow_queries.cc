#include "absl/container/flat_hash_map.h"
#include "provincial/core/categories.h"
#include "provincial/core/entries.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/workflow.h"
#include "provincial/core/workflow_internal.h"

namespace ntmis::provincial {

absl::StatusOr<v1::ReviewQueueResponse> Workflow::Queue(
    const User& actor, const v1::ReviewQueueRequest& request) {
  RETURN_IF_ERROR(
      CheckRole(actor, {Role::kManager, Role::kSysAdmin}, "查看审核队列"));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, actor.unit_code));
  // A system administrator reviews for its school only (Workflow::Review).
  const bool responsible_person = actor.role == Role::kSysAdmin;
  if (responsible_person && unit.level != UnitLevel::kSchool) {
    return absl::PermissionDeniedError(
        absl::StrCat("审核队列属于学校负责人和信息管理员；", actor.username,
                     " 是", UnitLevelLabel(unit.level), "的系统管理员"));
  }
  const uint32_t limit = PageSize(request.page_size());
  // Token: waiting-since time and the item's key.
  std::vector<std::string> token = TokenParts(request.page_token(), 2);
  int64_t after_time = 0;
  (void)absl::SimpleAtoi(token[0], &after_time);
  const std::string after_key = token[1];
  struct Item {
    int64_t since;
    std::string key;
    v1::ReviewItem item;
  };
  std::vector<Item> items;
  auto collect_teachers = [&](bool county, TeacherState state,
                              const std::string& step) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<WaitingTeacher> waiting,
                     WaitingTeachers(store_, {unit.code, county, state,
                                              after_time, after_key, limit}));
    for (WaitingTeacher& w : waiting) {
      Item it{w.since_unix, w.teacher_number, {}};
      it.item.set_teacher_number(w.teacher_number);
      it.item.set_name(w.name);
      it.item.set_school_code(w.school_code);
      it.item.set_step(step);
      it.item.set_waiting_since_unix(it.since);
      items.push_back(std::move(it));
    }
    return absl::OkStatus();
  };
  if (unit.level == UnitLevel::kSchool) {
    RETURN_IF_ERROR(
        collect_teachers(false, TeacherState::kSubmitted, kStepSchoolApproval));
    // Returned records wait for the school's managers to correct and
    // resubmit them (a responsible person reviews, it does not enter).
    if (!responsible_person)
      RETURN_IF_ERROR(
          collect_teachers(false, TeacherState::kReturned, kStepCorrection));
  }
  if (unit.level == UnitLevel::kCounty) {
    RETURN_IF_ERROR(collect_teachers(true, TeacherState::kSchoolApproved,
                                     kStepCountyReview));
  }
  {
    struct Pending {
      int64_t id, since;
      std::string teacher_number;
    };
    std::vector<Pending> pending;
    ASSIGN_OR_RETURN(
        sql::Statement q,
        store_.db().Prepare(
            "SELECT c.id, c.teacher_number, c.requested_unix FROM "
            "change_requests c "
            "WHERE c.reviewer_unit = ?1 AND c.state = 'pending' AND "
            "(c.requested_unix, printf('%020d', c.id)) > (?2, ?3) "
            "ORDER BY c.requested_unix, c.id LIMIT ?4"));
    q.Bind(1, unit.code)
        .Bind(2, after_time)
        .Bind(3, after_key)
        .Bind(4, int64_t{limit});
    RETURN_IF_ERROR(q.ForEachRow([&] {
      pending.push_back({q.ColumnInt(0), q.ColumnInt(2), q.ColumnText(1)});
    }));
    std::optional<Catalog> catalog;  // read once, if any request needs it
    if (!pending.empty()) {
      ASSIGN_OR_RETURN(catalog, Catalog::Load(store_));
    }
    for (const Pending& p : pending) {
      ASSIGN_OR_RETURN(StoredTeacher teacher,
                       LoadTeacher(store_, p.teacher_number));
      Item it{p.since, absl::StrFormat("%020d", p.id), {}};
      it.item.set_teacher_number(p.teacher_number);
      it.item.set_name(teacher.record.name());
      it.item.set_school_code(teacher.record.school_code());
      it.item.set_step(kStepChangeRequest);
      it.item.set_change_request_id(p.id);
      it.item.set_waiting_since_unix(it.since);
      RETURN_IF_ERROR(DescribeChange(p.id, teacher.record, *catalog, it.item));
      items.push_back(std::move(it));
    }
  }
  // Schools by name, not code.
  UnitNames school_names(store_);
  for (Item& it : items)
    it.item.set_school_name(school_names(it.item.school_code()));
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.since, a.key) < std::tie(b.since, b.key);
  });
  v1::ReviewQueueResponse response;
  for (size_t i = 0; i < items.size() && i < limit; ++i)
    *response.add_items() = items[i].item;
  if (items.size() > limit) {
    const Item& last = items[limit - 1];
    response.set_next_page_token(absl::StrCat(last.since, "|", last.key));
  }
  return response;
}

absl::Status Workflow::DescribeChange(uint64_t id,
                                      const v1::TeacherRecord& record,
                                      const Catalog& catalog,
                                      v1::ReviewItem& item) {
  ASSIGN_OR_RETURN(v1::ChangeRequestView change, LoadChange(id));
  item.set_reason(change.reason());
  item.set_entry_no(change.entry_no());
  item.set_delete_entry(change.delete_entry());
  if (change.category().empty()) {
    item.set_category_label("基本信息");
    for (const v1::FieldValue& f : change.fields()) {
      v1::FieldChange* c = item.add_changes();
      c->set_field(f.field());
      c->set_new_value(f.value());
      absl::StatusOr<TeacherColumn> column = ColumnByName(f.field());
      if (!column.ok()) continue;
      c->set_label(TeacherTemplate()[*column].label);
      auto shown = [&](const v1::TeacherRecord& r) {
        std::string label = TeacherFieldLabel(r, *column);
        return label.empty() ? TeacherFieldText(r, *column) : label;
      };
      c->set_old_value(shown(record));
      v1::TeacherRecord asked = record;
      if (SetTeacherField(asked, *column, f.value()).ok())
        c->set_new_value(shown(asked));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const v1::CategoryDef* category,
                   catalog.Get(change.category()));
  item.set_category_label(category->label());
  std::optional<v1::EntryView> current;
  if (change.entry_no() != 0) {
    ASSIGN_OR_RETURN(current, LoadEntry(store_, change.teacher_number(),
                                        change.category(), change.entry_no()));
  }
  for (const v1::FieldDef& def : category->fields()) {
    std::string asked;
    bool given = false;
    for (const v1::FieldValue& f : change.fields())
      if (f.field() == def.name()) asked = f.value(), given = true;
    std::string now;
    if (current)
      for (const v1::FieldValue& v : current->values())
        if (v.field() == def.name()) now = v.value();
    if (!given && !change.delete_entry()) continue;
    if (change.delete_entry() && now.empty()) continue;
    v1::FieldChange* c = item.add_changes();
    c->set_field(def.name());
    c->set_label(def.label());
    c->set_old_value(FieldValueLabel(def, now));
    c->set_new_value(change.delete_entry() ? "" : FieldValueLabel(def, asked));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::TeacherView> Workflow::Get(
    const User& actor, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(teacher_number));
  RETURN_IF_ERROR(CheckReadTeacher(
      store_, actor, teacher.record().school_code(), teacher_number));
  return teacher;
}

absl::StatusOr<v1::ListTeachersResponse> Workflow::List(
    const User& actor, const v1::ListTeachersRequest& request) {
  if (actor.role == Role::kTeacher)
    return absl::PermissionDeniedError("教师账号只能查看本人的信息");
  const std::string unit_code =
      request.unit_code().empty() ? actor.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store_, actor, unit_code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, unit_code));
  const uint32_t limit = PageSize(request.page_size());
  std::vector<std::string> token = TokenParts(request.page_token(), 3);
  std::vector<std::string> schools;
  if (unit.level != UnitLevel::kProvince) {
    ASSIGN_OR_RETURN(schools, SchoolsUnder(store_, unit_code));
  }
  TeacherPageQuery query;
  if (unit.level != UnitLevel::kProvince) query.schools = &schools;
  if (!request.state().empty()) {
    query.state = ParseTeacherState(request.state());
    if (!query.state)
      return absl::InvalidArgumentError(absl::StrCat(
          "没有“", request.state(), "”这种状态；可选：", AllStateNames()));
  }
  query.search = std::string(absl::StripAsciiWhitespace(request.search()));
  v1::ListTeachersResponse response;
  if (request.page() > 0) {
    // By page number, in the order asked for, with the total.
    query.offset = uint64_t{request.page() - 1} * limit;
    query.order = request.order();
    query.descending = request.descending();
    query.limit = limit;
    uint64_t total = 0;
    ASSIGN_OR_RETURN(std::vector<v1::TeacherSummary> page,
                     ListTeacherPage(store_, query, &total));
    for (v1::TeacherSummary& t : page) *response.add_teachers() = std::move(t);
    response.set_total(total);
    response.set_page(request.page());
  } else {
    query.after_school = token[0];
    query.after_state = token[1];
    query.after_number = token[2];
    query.limit = limit + 1;
    ASSIGN_OR_RETURN(std::vector<v1::TeacherSummary> page,
                     ListTeacherPage(store_, query));
    for (v1::TeacherSummary& t : page) {
      if (static_cast<uint32_t>(response.teachers_size()) == limit) {
        const v1::TeacherSummary& last = response.teachers(limit - 1);
        response.set_next_page_token(absl::StrCat(
            last.school_code(), "|", last.state(), "|", last.teacher_number()));
        break;
      }
      *response.add_teachers() = std::move(t);
    }
  }
  UnitNames school_names(store_);
  for (v1::TeacherSummary& t : *response.mutable_teachers())
    t.set_school_name(school_names(t.school_code()));
  return response;
}

absl::StatusOr<v1::TeacherHistoryResponse> Workflow::History(
    const User& actor, const v1::TeacherRequest& request) {
  ASSIGN_OR_RETURN(v1::TeacherView current,
                   Get(actor, request.teacher_number()));
  v1::TeacherHistoryResponse response;
  RETURN_IF_ERROR(ForEachPastVersion(
      store_, request.teacher_number(),
      [&](v1::TeacherView v) { *response.add_versions() = std::move(v); }));
  *response.add_versions() = current;
  if (request.version() != 0) {
    for (const v1::TeacherView& v : response.versions()) {
      if (v.version() == request.version()) {
        v1::TeacherView one = v;
        response.clear_versions();
        *response.add_versions() = std::move(one);
        return response;
      }
    }
    return absl::NotFoundError(absl::StrCat(
        "教师 ", request.teacher_number(), " 没有第 ", request.version(),
        " 版；现有第 1 至 ", current.version(), " 版"));
  }
  for (v1::TeacherView& v : *response.mutable_versions()) v.clear_record();
  ASSIGN_OR_RETURN(std::vector<v1::ChangeRequestView> changes,
                   ChangeRequests(request.teacher_number()));
  for (auto it = changes.rbegin(); it != changes.rend(); ++it)
    *response.add_change_requests() = std::move(*it);
  return response;
}

absl::StatusOr<std::vector<v1::ChangeRequestView>> Workflow::ChangeRequests(
    const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement changes,
                   store_.db().Prepare("SELECT id FROM change_requests WHERE "
                                       "teacher_number = ? ORDER BY id DESC"));
  changes.BindAll(teacher_number);
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(
      changes.ForEachRow([&] { ids.push_back(changes.ColumnInt(0)); }));
  std::vector<v1::ChangeRequestView> views;
  for (uint64_t id : ids) {
    ASSIGN_OR_RETURN(views.emplace_back(), LoadChange(id));
  }
  return views;
}

std::vector<std::pair<std::string, std::string>> ReviewStepLabels() {
  return {{kStepSchoolApproval, "学校审核"},
          {kStepCountyReview, "区县复核"},
          {kStepChangeRequest, "变更申请"},
          {kStepCorrection, "退回修改"}};
}

}  // namespace ntmis::provincial
