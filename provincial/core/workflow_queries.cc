#include "provincial/core/workflow.h"
#include "provincial/core/workflow_internal.h"

namespace ntmis::provincial {

absl::StatusOr<v1::ReviewQueueResponse> Workflow::Queue(const User& actor,
                                                        const v1::ReviewQueueRequest& request) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "a review queue"));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, actor.unit_code));
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
  auto collect_teachers = [&](const std::string& sql, const std::string& step)
      -> absl::Status {
    ASSIGN_OR_RETURN(sql::Statement q, store_.db().Prepare(sql));
    q.Bind(1, unit.code).Bind(2, after_time).Bind(3, after_key).Bind(4, int64_t{limit});
    RETURN_IF_ERROR(q.ForEachRow([&] {
      Item it{q.ColumnInt(2), q.ColumnText(0), {}};
      v1::TeacherRecord record;
      record.ParseFromString(std::string(q.ColumnBlob(3)));
      it.item.set_teacher_number(it.key);
      it.item.set_name(record.name());
      it.item.set_school_code(q.ColumnText(1));
      it.item.set_step(step);
      it.item.set_waiting_since_unix(it.since);
      items.push_back(std::move(it));
    }));
    return absl::OkStatus();
  };
  constexpr char kAfter[] = " AND (updated_unix, teacher_number) > (?2, ?3) "
                            "ORDER BY updated_unix, teacher_number LIMIT ?4";
  if (unit.level == UnitLevel::kSchool) {
    RETURN_IF_ERROR(collect_teachers(
        absl::StrCat("SELECT teacher_number, school_code, updated_unix, record FROM teachers "
                     "WHERE school_code = ?1 AND state = 'submitted'", kAfter),
        "school_approval"));
    // Returned records wait for the school to correct and resubmit them.
    RETURN_IF_ERROR(collect_teachers(
        absl::StrCat("SELECT teacher_number, school_code, updated_unix, record FROM teachers "
                     "WHERE school_code = ?1 AND state = 'returned'", kAfter),
        "correction"));
  }
  if (unit.level == UnitLevel::kCounty) {
    RETURN_IF_ERROR(collect_teachers(
        absl::StrCat("SELECT teacher_number, school_code, updated_unix, record FROM teachers "
                     "WHERE school_code IN (SELECT code FROM units WHERE parent_code = ?1) "
                     "AND state = 'school_approved'", kAfter),
        "county_review"));
  }
  {
    ASSIGN_OR_RETURN(sql::Statement q,
                     store_.db().Prepare(
                         "SELECT c.id, c.teacher_number, c.requested_unix, t.record, "
                         "t.school_code FROM change_requests c JOIN teachers t "
                         "ON t.teacher_number = c.teacher_number WHERE c.reviewer_unit = ?1 "
                         "AND c.state = 'pending' AND (c.requested_unix, printf('%020d', c.id)) "
                         "> (?2, ?3) ORDER BY c.requested_unix, c.id LIMIT ?4"));
    q.Bind(1, unit.code).Bind(2, after_time).Bind(3, after_key).Bind(4, int64_t{limit});
    RETURN_IF_ERROR(q.ForEachRow([&] {
      Item it{q.ColumnInt(2), absl::StrFormat("%020d", q.ColumnInt(0)), {}};
      v1::TeacherRecord record;
      record.ParseFromString(std::string(q.ColumnBlob(3)));
      it.item.set_teacher_number(q.ColumnText(1));
      it.item.set_name(record.name());
      it.item.set_school_code(q.ColumnText(4));
      it.item.set_step("change_request");
      it.item.set_change_request_id(q.ColumnInt(0));
      it.item.set_waiting_since_unix(it.since);
      items.push_back(std::move(it));
    }));
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.since, a.key) < std::tie(b.since, b.key);
  });
  v1::ReviewQueueResponse response;
  for (size_t i = 0; i < items.size() && i < limit; ++i) *response.add_items() = items[i].item;
  if (items.size() > limit) {
    const Item& last = items[limit - 1];
    response.set_next_page_token(absl::StrCat(last.since, "|", last.key));
  }
  return response;
}

absl::StatusOr<v1::TeacherView> Workflow::Get(const User& actor,
                                              const std::string& teacher_number) {
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(teacher_number));
  RETURN_IF_ERROR(CheckReadTeacher(store_, actor, teacher.record().school_code(),
                                   teacher_number));
  return teacher;
}

absl::StatusOr<v1::ListTeachersResponse> Workflow::List(const User& actor,
                                                        const v1::ListTeachersRequest& request) {
  if (actor.role == Role::kTeacher)
    return absl::PermissionDeniedError("a teacher account sees only its own record");
  const std::string unit_code = request.unit_code().empty() ? actor.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store_, actor, unit_code));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, unit_code));
  const uint32_t limit = PageSize(request.page_size());
  std::vector<std::string> token = TokenParts(request.page_token(), 3);
  std::string schools_json;
  if (unit.level != UnitLevel::kProvince) {
    ASSIGN_OR_RETURN(std::vector<std::string> schools, SchoolsUnder(store_, unit_code));
    schools_json = sql::JsonArray(schools);
  }
  std::string sql = absl::StrCat(
      "SELECT teacher_number, school_code, state, version, updated_unix, record FROM teachers "
      "WHERE (school_code, state, teacher_number) > (?1, ?2, ?3)",
      unit.level == UnitLevel::kProvince ? ""
                                         : " AND school_code IN (SELECT value FROM json_each(?4))",
      request.state().empty() ? "" : " AND state = ?5",
      " ORDER BY school_code, state, teacher_number LIMIT ?6");
  ASSIGN_OR_RETURN(sql::Statement q, store_.db().Prepare(sql));
  q.Bind(1, token[0]).Bind(2, token[1]).Bind(3, token[2]);
  if (!schools_json.empty()) q.Bind(4, schools_json);
  if (!request.state().empty()) q.Bind(5, request.state());
  q.Bind(6, int64_t{limit} + 1);
  v1::ListTeachersResponse response;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (static_cast<uint32_t>(response.teachers_size()) == limit) {
      const v1::TeacherSummary& last = response.teachers(limit - 1);
      response.set_next_page_token(
          absl::StrCat(last.school_code(), "|", last.state(), "|", last.teacher_number()));
      break;
    }
    v1::TeacherSummary* t = response.add_teachers();
    t->set_teacher_number(q.ColumnText(0));
    t->set_school_code(q.ColumnText(1));
    t->set_state(q.ColumnText(2));
    t->set_version(q.ColumnInt(3));
    t->set_updated_unix(q.ColumnInt(4));
    v1::TeacherRecord record;
    record.ParseFromString(std::string(q.ColumnBlob(5)));
    t->set_name(record.name());
  }
  return response;
}

absl::StatusOr<v1::TeacherHistoryResponse> Workflow::History(const User& actor,
                                                             const v1::TeacherRequest& request) {
  ASSIGN_OR_RETURN(v1::TeacherView current, Get(actor, request.teacher_number()));
  v1::TeacherHistoryResponse response;
  ASSIGN_OR_RETURN(sql::Statement versions,
                   store_.db().Prepare(
                       "SELECT teacher_number, state, version, record, changed_by, "
                       "change_action, change_reason, approved_by, at_unix, 0 "
                       "FROM teacher_versions WHERE teacher_number = ? ORDER BY version"));
  versions.BindAll(request.teacher_number());
  RETURN_IF_ERROR(versions.ForEachRow([&] {
    *response.add_versions() = ViewFrom(versions);
  }));
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
    return absl::NotFoundError(absl::StrCat("teacher ", request.teacher_number(),
                                            " has no version ", request.version(),
                                            "; versions 1 to ", current.version()));
  }
  for (v1::TeacherView& v : *response.mutable_versions()) v.clear_record();
  ASSIGN_OR_RETURN(sql::Statement changes,
                   store_.db().Prepare("SELECT id FROM change_requests WHERE teacher_number = ? "
                                       "ORDER BY id"));
  changes.BindAll(request.teacher_number());
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(changes.ForEachRow([&] {
    ids.push_back(changes.ColumnInt(0));
  }));
  for (uint64_t id : ids) {
    ASSIGN_OR_RETURN(*response.add_change_requests(), LoadChange(id));
  }
  return response;
}

}  // namespace ntmis::provincial
