#include "provincial/core/teacher_queries.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "provincial/core/action_labels.h"

namespace ntmis::provincial {
namespace {

constexpr char kViewColumns[] =
    "SELECT teacher_number, state, version, record, changed_by, change_action, "
    "change_reason, "
    "approved_by, updated_unix, provisional FROM teachers WHERE teacher_number "
    "= ?";

// A TeacherView from the row's columns in kViewColumns order.
v1::TeacherView ViewFrom(const sql::Statement& row) {
  v1::TeacherView view;
  view.set_teacher_number(row.ColumnText(0));
  view.set_state(row.ColumnText(1));
  view.set_version(row.ColumnInt(2));
  view.mutable_record()->ParseFromString(std::string(row.ColumnBlob(3)));
  view.set_changed_by(row.ColumnText(4));
  view.set_change_action(row.ColumnText(5));
  view.set_change_action_label(ActionLabel(view.change_action()));
  view.set_change_reason(row.ColumnText(6));
  view.set_approved_by(row.ColumnText(7));
  view.set_updated_unix(row.ColumnInt(8));
  view.set_provisional(row.ColumnInt(9) != 0);
  return view;
}

// A TeacherSummary from (teacher_number, school_code, state, version,
// updated_unix, record).
v1::TeacherSummary SummaryFrom(const sql::Statement& row) {
  v1::TeacherSummary t;
  t.set_teacher_number(row.ColumnText(0));
  t.set_school_code(row.ColumnText(1));
  t.set_state(row.ColumnText(2));
  t.set_version(row.ColumnInt(3));
  t.set_updated_unix(row.ColumnInt(4));
  t.set_name(row.ColumnText(5));
  return t;
}

constexpr char kSummaryColumns[] =
    "SELECT teacher_number, school_code, state, version, updated_unix, name "
    "FROM teachers ";

TeacherState StateOfColumn(const sql::Statement& row, int column) {
  return ParseTeacherState(row.ColumnText(column))
      .value_or(TeacherState::kDraft);
}

const std::string& InactiveStates() {
  static const std::string* list = new std::string(
      SqlStateList({TeacherState::kWithdrawn, TeacherState::kTransferredOut}));
  return *list;
}

}  // namespace

absl::StatusOr<v1::TeacherView> LoadTeacherView(
    Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement find, store.db().Prepare(kViewColumns));
  ASSIGN_OR_RETURN(bool row, find.BindAll(teacher_number).Step());
  if (!row)
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", teacher_number, " 的教师"));
  return ViewFrom(find);
}

absl::Status ForEachPastVersion(
    Store& store, const std::string& teacher_number,
    const std::function<void(v1::TeacherView)>& version) {
  ASSIGN_OR_RETURN(
      sql::Statement versions,
      store.db().Prepare(
          "SELECT teacher_number, state, version, record, changed_by, "
          "change_action, change_reason, approved_by, at_unix, 0 "
          "FROM teacher_versions WHERE teacher_number = ? ORDER BY version"));
  versions.BindAll(teacher_number);
  return versions.ForEachRow([&] { version(ViewFrom(versions)); });
}

absl::StatusOr<std::string> SealedIdCard(Store& store,
                                         const std::string& teacher_number) {
  ASSIGN_OR_RETURN(
      sql::Statement find,
      store.db().Prepare(
          "SELECT id_sealed FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, find.BindAll(teacher_number).Step());
  if (!row)
    return absl::NotFoundError(
        absl::StrCat("本省没有教师编号为 ", teacher_number, " 的教师"));
  return std::string(find.ColumnBlob(0));
}

absl::StatusOr<std::vector<v1::TeacherSummary>> ListTeacherPage(
    Store& store, const TeacherPageQuery& query, uint64_t* total) {
  using Request = v1::ListTeachersRequest;
  // The filter: ?1 the schools, ?2 the state, ?3 the search. A search at
  // the province reads the index of names (teachers_name), not every row;
  // within a city or below, the rows of its schools are few enough.
  const std::string where = absl::StrCat(
      "WHERE 1",
      query.schools == nullptr
          ? ""
          : " AND school_code IN (SELECT value FROM json_each(?1))",
      query.state ? " AND state = ?2" : "",
      query.search.empty() ? ""
      : query.schools == nullptr
          ? " AND (teacher_number = ?3 OR teacher_number IN (SELECT "
            "teacher_number FROM teachers INDEXED BY teachers_name WHERE "
            "instr(name, ?3) > 0))"
          : " AND (teacher_number = ?3 OR instr(name, ?3) > 0)");
  auto bind = [&](sql::Statement& q) {
    if (query.schools != nullptr) q.Bind(1, sql::JsonArray(*query.schools));
    if (query.state) q.Bind(2, std::string(StateName(*query.state)));
    if (!query.search.empty()) q.Bind(3, query.search);
  };
  if (total != nullptr) {
    ASSIGN_OR_RETURN(sql::Statement count,
                     store.db().Prepare(absl::StrCat(
                         "SELECT COUNT(*) FROM teachers ", where)));
    bind(count);
    ASSIGN_OR_RETURN(bool row, count.Step());
    *total = row ? static_cast<uint64_t>(count.ColumnInt(0)) : 0;
  }
  std::string sql;
  if (query.offset) {
    const char* dir = query.descending ? " DESC" : "";
    std::string order;
    switch (query.order) {
      case Request::ORDER_TEACHER_NUMBER:
        order = absl::StrCat("teacher_number", dir);
        break;
      case Request::ORDER_NAME:
        order = absl::StrCat("name", dir, ", teacher_number", dir);
        break;
      case Request::ORDER_STATE:
        order = absl::StrCat("state", dir, ", teacher_number", dir);
        break;
      case Request::ORDER_UPDATED:
        order = absl::StrCat("updated_unix", dir, ", teacher_number", dir);
        break;
      default:
        order = absl::StrCat("school_code", dir, ", state", dir,
                             ", teacher_number", dir);
    }
    sql = absl::StrCat(kSummaryColumns, where, " ORDER BY ", order,
                       " LIMIT ?4 OFFSET ?5");
  } else {
    sql =
        absl::StrCat(kSummaryColumns, where,
                     " AND (school_code, state, teacher_number) > (?5, ?6, ?7) "
                     "ORDER BY school_code, state, teacher_number LIMIT ?4");
  }
  ASSIGN_OR_RETURN(sql::Statement q, store.db().Prepare(sql));
  bind(q);
  q.Bind(4, int64_t{query.limit});
  if (query.offset) {
    q.Bind(5, static_cast<int64_t>(*query.offset));
  } else {
    q.Bind(5, query.after_school)
        .Bind(6, query.after_state)
        .Bind(7, query.after_number);
  }
  std::vector<v1::TeacherSummary> out;
  RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(SummaryFrom(q)); }));
  return out;
}

absl::StatusOr<std::vector<WaitingTeacher>> WaitingTeachers(
    Store& store, const WaitingQuery& query) {
  // The state is spelled out (a constant) so that the partial index of
  // pending records serves the query.
  const std::string sql = absl::StrCat(
      "SELECT teacher_number, school_code, updated_unix, record FROM teachers "
      "WHERE ",
      query.county
          ? "school_code IN (SELECT code FROM units WHERE parent_code = ?1)"
          : "school_code = ?1",
      " AND state = '", StateName(query.state), "'",
      " AND (updated_unix, teacher_number) > (?2, ?3) "
      "ORDER BY updated_unix, teacher_number LIMIT ?4");
  ASSIGN_OR_RETURN(sql::Statement q, store.db().Prepare(sql));
  q.Bind(1, query.unit).Bind(2, query.after_unix).Bind(3, query.after_number);
  q.Bind(4, int64_t{query.limit});
  std::vector<WaitingTeacher> out;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    v1::TeacherRecord record;
    record.ParseFromString(std::string(q.ColumnBlob(3)));
    out.push_back(
        {q.ColumnText(0), q.ColumnText(1), record.name(), q.ColumnInt(2)});
  }));
  return out;
}

absl::Status CountByState(
    Store& store, const std::vector<std::string>& schools,
    const std::function<void(const std::string& school, TeacherState,
                             uint64_t)>& count) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(
          "SELECT school_code, state, COUNT(*) FROM teachers WHERE school_code "
          "IN "
          "(SELECT value FROM json_each(?)) GROUP BY school_code, state"));
  q.BindAll(sql::JsonArray(schools));
  return q.ForEachRow([&] {
    count(q.ColumnText(0), StateOfColumn(q, 1),
          static_cast<uint64_t>(q.ColumnInt(2)));
  });
}

absl::Status ForEachInProgress(
    Store& store, const std::vector<std::string>& schools,
    const std::function<bool(const v1::TeacherSummary&)>& teacher) {
  static const std::string* sql = new std::string(absl::StrCat(
      kSummaryColumns,
      "WHERE school_code IN (SELECT value FROM json_each(?)) AND state IN (",
      SqlStateList({TeacherState::kDraft, TeacherState::kReturned,
                    TeacherState::kSubmitted, TeacherState::kSchoolApproved}),
      ") ORDER BY school_code, state, teacher_number"));
  ASSIGN_OR_RETURN(sql::Statement q, store.db().Prepare(*sql));
  q.BindAll(sql::JsonArray(schools));
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row || !teacher(SummaryFrom(q))) return absl::OkStatus();
  }
}

absl::StatusOr<std::vector<std::string>> ActiveTeacherNumbers(
    Store& store, const std::string& school) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(absl::StrCat(
          "SELECT teacher_number FROM teachers WHERE school_code = ? AND state "
          "NOT IN (",
          InactiveStates(), ") ORDER BY teacher_number")));
  q.BindAll(school);
  std::vector<std::string> out;
  RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(q.ColumnText(0)); }));
  return out;
}

absl::StatusOr<uint64_t> CountActiveTeachers(Store& store,
                                             const std::string& school) {
  ASSIGN_OR_RETURN(sql::Statement q, store.db().Prepare(absl::StrCat(
                                         "SELECT COUNT(*) FROM teachers WHERE "
                                         "school_code = ? AND state NOT IN (",
                                         InactiveStates(), ")")));
  ASSIGN_OR_RETURN(bool row, q.BindAll(school).Step());
  return row ? static_cast<uint64_t>(q.ColumnInt(0)) : 0;
}

absl::Status ForEachTeacherOfSchool(
    Store& store, const std::string& school, std::optional<TeacherState> state,
    const std::function<absl::Status(const std::string& number, TeacherState,
                                     const v1::TeacherRecord&)>& teacher) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare("SELECT teacher_number, state, record FROM teachers "
                         "WHERE school_code = ?1 AND (?2 = '' OR state = ?2) "
                         "ORDER BY teacher_number"));
  q.Bind(1, school).Bind(
      2, state ? std::string(StateName(*state)) : std::string());
  v1::TeacherRecord record;
  return q.ForEachRow([&]() -> absl::Status {
    if (!record.ParseFromString(std::string(q.ColumnBlob(2))))
      return absl::DataLossError(
          absl::StrCat("stored record of ", q.ColumnText(0), " is unreadable"));
    return teacher(q.ColumnText(0), StateOfColumn(q, 1), record);
  });
}

absl::Status ForEachEntryOfSchool(
    Store& store, const std::string& school, const std::string& category,
    const std::function<absl::Status(const std::string& number,
                                     int64_t entry_no, const v1::EntryValues&)>&
        entry) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(
          "SELECT e.teacher_number, e.entry_no, e.entry_values FROM teachers t "
          "JOIN teacher_entries e ON e.teacher_number = t.teacher_number "
          "WHERE t.school_code = ? AND e.category = ? AND e.deleted = 0 "
          "ORDER BY e.teacher_number, e.entry_no"));
  q.BindAll(school, category);
  v1::EntryValues values;
  return q.ForEachRow([&]() -> absl::Status {
    values.Clear();
    ASSIGN_OR_RETURN(std::string bytes, store.OpenAtRest(q.ColumnBlob(2)));
    values.ParseFromString(bytes);
    return entry(q.ColumnText(0), q.ColumnInt(1), values);
  });
}

absl::Status ForEachEffectiveRecord(
    Store& store, const std::string& from, const std::string& to,
    const std::function<absl::Status(const std::string& number,
                                     absl::string_view record)>& record) {
  std::string sql =
      "SELECT teacher_number, record FROM teachers WHERE state = ?";
  if (!to.empty()) sql += " AND teacher_number >= ? AND teacher_number < ?";
  sql += " ORDER BY teacher_number";
  ASSIGN_OR_RETURN(sql::Statement s, store.db().Prepare(sql));
  s.Bind(1, std::string(StateName(TeacherState::kEffective)));
  if (!to.empty()) s.Bind(2, from).Bind(3, to);
  return s.ForEachRow([&] { return record(s.ColumnText(0), s.ColumnBlob(1)); });
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
ProvisionalTeachers(Store& store, uint32_t limit) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare("SELECT teacher_number, id_hash FROM teachers "
                         "WHERE provisional = 1 LIMIT ?"));
  q.BindAll(int64_t{limit});
  std::vector<std::pair<std::string, std::string>> out;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    out.emplace_back(q.ColumnText(0), std::string(q.ColumnBlob(1)));
  }));
  return out;
}

}  // namespace ntmis::provincial
