#include "provincial/core/workflow.h"

#include <algorithm>
#include <ctime>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/teacher_number.h"
#include "provincial/core/access.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/teachers.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

absl::Status ProblemsError(const std::vector<FieldProblem>& problems, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      what, absl::StrJoin(problems, "; ", [](std::string* out, const FieldProblem& p) {
        absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
      })));
}

bool Blank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

uint32_t PageSize(uint32_t asked) { return asked == 0 ? 50 : std::min<uint32_t>(asked, 1000); }

// Whether the template field of `record` holds a value yet (the ID-card
// number always does; records keep it only as its hash).
bool IsFilled(const v1::TeacherRecord& r, TeacherColumn column) {
  return column == kIdCardNumber || !TeacherFieldText(r, column).empty();
}

constexpr char kTeacherColumns[] =
    "SELECT teacher_number, state, version, record, changed_by, change_action, change_reason, "
    "approved_by, updated_unix, provisional, school_code FROM teachers ";

v1::TeacherView ViewFrom(const sql::Statement& row, int first_column = 0) {
  v1::TeacherView view;
  view.set_teacher_number(row.ColumnText(first_column));
  view.set_state(row.ColumnText(first_column + 1));
  view.set_version(row.ColumnInt(first_column + 2));
  view.mutable_record()->ParseFromString(std::string(row.ColumnBlob(first_column + 3)));
  view.set_changed_by(row.ColumnText(first_column + 4));
  view.set_change_action(row.ColumnText(first_column + 5));
  view.set_change_reason(row.ColumnText(first_column + 6));
  view.set_approved_by(row.ColumnText(first_column + 7));
  view.set_updated_unix(row.ColumnInt(first_column + 8));
  view.set_provisional(row.ColumnInt(first_column + 9) != 0);
  return view;
}

ChangeMeta Meta(const User& actor, std::string action, std::string reason,
                std::string approved_by = "") {
  return ChangeMeta{actor.username, std::move(action), std::move(reason),
                    std::move(approved_by)};
}

// Page tokens are the sort key of the last row, '|'-separated.
std::vector<std::string> TokenParts(const std::string& token, size_t n) {
  std::vector<std::string> parts = absl::StrSplit(token, '|');
  parts.resize(n);
  return parts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Workflow>> Workflow::Create(Store& store, const IdKeys& keys,
                                                           IdentityResolver* resolver) {
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::Sealer> sealer, crypto::Sealer::Create(keys.seal_key));
  return std::unique_ptr<Workflow>(new Workflow(store, keys, std::move(sealer), resolver));
}

absl::StatusOr<v1::TeacherView> Workflow::Load(const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   store_.db().Prepare(absl::StrCat(kTeacherColumns, "WHERE teacher_number = ?")));
  ASSIGN_OR_RETURN(bool row, find.BindAll(teacher_number).Step());
  if (!row) return absl::NotFoundError(absl::StrCat("no teacher ", teacher_number));
  return ViewFrom(find);
}

absl::Status Workflow::CheckEnters(const User& actor, const v1::TeacherView& teacher) {
  if (actor.role == Role::kTeacher) {
    return CheckReadTeacher(store_, actor, teacher.record().school_code(),
                            teacher.teacher_number());
  }
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "entering teacher data"));
  return CheckWithin(store_, actor, teacher.record().school_code());
}

absl::Status Workflow::ApplyFields(const User& actor, const v1::EditTeacherRequest& request,
                                   v1::TeacherRecord& record) {
  if (request.fields().empty()) return absl::InvalidArgumentError("no fields given");
  for (const v1::FieldValue& f : request.fields()) {
    ASSIGN_OR_RETURN(TeacherColumn column, ColumnByName(f.field()));
    FieldWriter writer = WriterOf(column);
    if (writer == FieldWriter::kFixed) {
      return absl::InvalidArgumentError(absl::StrCat(
          f.field(), " is fixed when the record is created (gender and birth date come from "
                     "the ID-card number; a school change is a transfer)"));
    }
    if (writer == FieldWriter::kStaff && actor.role == Role::kTeacher) {
      return absl::PermissionDeniedError(absl::StrCat(
          f.field(), " is written by the school or the administration; a teacher may fill: ",
          [] {
            std::vector<std::string> names;
            for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
              if (WriterOf(static_cast<TeacherColumn>(c)) == FieldWriter::kTeacher)
                names.push_back(TeacherTemplateColumns()[c]);
            }
            return absl::StrJoin(names, ", ");
          }()));
    }
    RETURN_IF_ERROR(SetTeacherField(record, column, f.value()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::TeacherView> Workflow::CreateTeacher(const User& actor,
                                                        const v1::CreateTeacherRequest& req) {
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "creating a teacher"));
  ASSIGN_OR_RETURN(Unit school, LoadUnit(store_, req.school_code()));
  RETURN_IF_ERROR(CheckWithin(store_, actor, school.code));
  if (school.level != UnitLevel::kSchool || school.closed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "school_code='", req.school_code(), "': must be an open school of this province"));
  }
  ASSIGN_OR_RETURN(std::string province_text, store_.Province());
  int province = 0;
  (void)absl::SimpleAtoi(province_text, &province);
  ASSIGN_OR_RETURN(Unit county, LoadUnit(store_, school.parent_code));

  v1::TeacherRecord record;
  record.set_province(static_cast<v1::Province>(province));
  std::vector<std::string> problems;
  auto note = [&problems](const absl::Status& s) {
    if (!s.ok()) problems.push_back(std::string(s.message()));
  };
  note(SetTeacherField(record, kName, req.name()));
  note(SetTeacherField(record, kGender, req.gender()));
  note(SetTeacherField(record, kBirthDate, req.birth_date()));
  std::string id_card = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(req.id_card_number()));
  absl::StatusOr<IdCardInfo> id = ParseIdCard(id_card);
  if (!id.ok()) {
    problems.push_back(absl::StrCat("id_card_number='", MaskIdCard(id_card), "': ",
                                    id.status().message()));
  } else {
    if (!record.birth_date().empty() && id->birth_date.ToString() != record.birth_date())
      problems.push_back(absl::StrCat("birth_date='", record.birth_date(),
                                      "': must equal the birth date in ID-card digits 7-14"));
    if (record.gender() != 0 && id->gender != record.gender())
      problems.push_back(absl::StrCat("gender='", req.gender(),
                                      "': must agree with ID-card digit 17 (odd male, even "
                                      "female)"));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  record.set_id_type(v1::ID_TYPE_RESIDENT_ID_CARD);
  record.set_id_hash(id_hasher_.Sign(id_card));
  record.set_school_code(school.code);
  record.set_county_code(county.code);
  record.set_city_code(county.parent_code);
  record.set_school_category(school.school_category);
  record.set_teacher_number(MintTeacherNumber(province, 0));  // checked with the rest
  std::vector<FieldProblem> invalid = ValidateDraftRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  ASSIGN_OR_RETURN(std::string sealed, sealer_->Seal(id_card));

  // One person, one number: asked before the write transaction.
  std::optional<KnownIdentity> known;
  bool provisional = resolver_ == nullptr;
  if (resolver_ != nullptr) {
    auto answer = resolver_->Resolve({record.id_hash()});
    if (answer.ok()) {
      known = (*answer)[0];
    } else {
      provisional = true;
    }
  }

  record.clear_teacher_number();  // the creator mints or reuses it
  const std::string rest = record.SerializeAsString();
  NewTeacher teacher;
  teacher.id_hash = record.id_hash();
  teacher.id_sealed = sealed;
  teacher.school_code = school.code;
  teacher.record_without_number = rest;
  teacher.state = kDraft;
  teacher.provisional = provisional;
  teacher.known = known ? &*known : nullptr;
  teacher.actor = actor.username;
  teacher.action = "teacher.create";
  if (known) {
    teacher.reason = absl::StrCat("national number of a person owned by province ",
                                  known->owner_province);
  }
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(TeacherCreator creator, TeacherCreator::Begin(store_));
  absl::StatusOr<std::string> number = creator.Create(teacher, std::time(nullptr));
  if (absl::IsAlreadyExists(number.status())) {
    return absl::AlreadyExistsError(absl::StrCat("id_card_number='", MaskIdCard(id_card),
                                                 "': ", number.status().message()));
  }
  RETURN_IF_ERROR(number.status());
  RETURN_IF_ERROR(creator.Finish());
  RETURN_IF_ERROR(txn.Commit());
  return Load(*number);
}

absl::StatusOr<v1::TeacherView> Workflow::Edit(const User& actor,
                                               const v1::EditTeacherRequest& request) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (teacher.state() != kDraft && teacher.state() != kReturned) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher.teacher_number(), " is ", teacher.state(),
        ": only a draft or returned record is edited directly; an effective one changes "
        "through a change request"));
  }
  v1::TeacherRecord record = teacher.record();
  RETURN_IF_ERROR(ApplyFields(actor, request, record));
  std::vector<FieldProblem> invalid = ValidateDraftRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  RETURN_IF_ERROR(WriteVersion(store_, teacher.teacher_number(),
                               {teacher.state().c_str(), &record, std::nullopt, 0,
                                Meta(actor, "teacher.edit", request.reason())}));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher.teacher_number());
}

absl::StatusOr<v1::TeacherView> Workflow::Submit(const User& actor,
                                                 const std::string& teacher_number) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(teacher_number));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (teacher.state() != kDraft && teacher.state() != kReturned) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher_number, " is ", teacher.state(),
        ": only a draft or returned record can be submitted"));
  }
  // Completeness: every field and category of the record's indicator set.
  ASSIGN_OR_RETURN(std::vector<std::string> missing, Missing(teacher));
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("incomplete, fill in first: ", absl::StrJoin(missing, "; ")));
  }
  RETURN_IF_ERROR(WriteVersion(store_, teacher_number,
                               {kSubmitted, nullptr, std::nullopt, 0,
                                Meta(actor, "teacher.submit", "")}));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher_number);
}

absl::StatusOr<v1::TeacherView> Workflow::Review(const User& actor,
                                                 const v1::ReviewRequest& request) {
  const bool approve = request.decision() == v1::ReviewRequest::APPROVE;
  if (!approve && request.decision() != v1::ReviewRequest::RETURN)
    return absl::InvalidArgumentError("decision: APPROVE or RETURN");
  if (!approve && Blank(request.reason()))
    return absl::InvalidArgumentError("returning a record needs a reason");
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "reviewing"));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  const std::string& school = teacher.record().school_code();
  RETURN_IF_ERROR(CheckWithin(store_, actor, school));
  ASSIGN_OR_RETURN(Unit school_unit, LoadUnit(store_, school));
  VersionWrite write;
  if (teacher.state() == kSubmitted) {
    if (actor.unit_code != school) {
      return absl::PermissionDeniedError(absl::StrCat(
          "teacher ", teacher.teacher_number(), " waits for the approval of school ", school,
          "; ", actor.username, " is of unit ", actor.unit_code));
    }
    if (approve && teacher.change_action() == "teacher.submit" &&
        teacher.changed_by() == actor.username) {
      return absl::PermissionDeniedError(absl::StrCat(
          actor.username, " submitted teacher ", teacher.teacher_number(),
          " and cannot also approve it (谁填报谁负责、谁审核谁负责: the one who submits and the "
          "one who approves are different people); another information manager of school ",
          school, " approves it, or returns it"));
    }
    write.state = approve ? kSchoolApproved : kReturned;
    write.meta = Meta(actor, approve ? "review.school_approve" : "review.return",
                      request.reason(), approve ? actor.username : "");
  } else if (teacher.state() == kSchoolApproved) {
    if (actor.unit_code != school_unit.parent_code) {
      return absl::PermissionDeniedError(absl::StrCat(
          "teacher ", teacher.teacher_number(), " waits for the re-review of county ",
          school_unit.parent_code, "; ", actor.username, " is of unit ", actor.unit_code));
    }
    write.state = approve ? kEffective : kReturned;
    if (approve) write.outbox = OutboxOp::kUpsert;
    write.meta = Meta(actor, approve ? "review.county_approve" : "review.return",
                      request.reason(), approve ? actor.username : "");
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher.teacher_number(), " is ", teacher.state(),
        "; only a submitted or school-approved record is reviewed"));
  }
  RETURN_IF_ERROR(WriteVersion(store_, teacher.teacher_number(), write));
  RETURN_IF_ERROR(txn.Commit());
  return Load(teacher.teacher_number());
}

absl::StatusOr<std::string> Workflow::ChangeReviewer(const User& actor,
                                                     const std::string& school_code,
                                                     bool addition) {
  // Additions and a teacher's own changes: the school decides.
  if (addition || actor.role == Role::kTeacher) return school_code;
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store_, actor.unit_code));
  return unit.level == UnitLevel::kProvince ? unit.code : unit.parent_code;
}

absl::StatusOr<v1::ChangeRequestView> Workflow::LoadChange(uint64_t id) {
  ASSIGN_OR_RETURN(sql::Statement find,
                   store_.db().Prepare(
                       "SELECT id, teacher_number, kind, state, fields, reviewer_unit, "
                       "requested_by, reason, requested_unix, decided_by, decision_reason, "
                       "decided_unix, category, entry_no, delete_entry FROM change_requests "
                       "WHERE id = ?"));
  ASSIGN_OR_RETURN(bool row, find.BindAll(id).Step());
  if (!row) return absl::NotFoundError(absl::StrCat("no change request ", id));
  v1::ChangeRequestView view;
  view.set_id(find.ColumnInt(0));
  view.set_teacher_number(find.ColumnText(1));
  view.set_kind(find.ColumnText(2));
  view.set_state(find.ColumnText(3));
  v1::EditTeacherRequest fields;
  fields.ParseFromString(std::string(find.ColumnBlob(4)));
  *view.mutable_fields() = fields.fields();
  view.set_reviewer_unit(find.ColumnText(5));
  view.set_requested_by(find.ColumnText(6));
  view.set_reason(find.ColumnText(7));
  view.set_requested_unix(find.ColumnInt(8));
  view.set_decided_by(find.ColumnText(9));
  view.set_decision_reason(find.ColumnText(10));
  view.set_decided_unix(find.ColumnInt(11));
  view.set_category(find.ColumnText(12));
  view.set_entry_no(find.ColumnInt(13));
  view.set_delete_entry(find.ColumnInt(14) != 0);
  return view;
}

absl::StatusOr<v1::ChangeRequestView> Workflow::RequestChange(
    const User& actor, const v1::EditTeacherRequest& request) {
  if (Blank(request.reason())) return absl::InvalidArgumentError("a change request needs a reason");
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(request.teacher_number()));
  RETURN_IF_ERROR(CheckEnters(actor, teacher));
  if (teacher.state() != kEffective) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", teacher.teacher_number(), " is ", teacher.state(),
        ": change requests are for effective records; edit the record instead"));
  }
  v1::TeacherRecord record = teacher.record();
  RETURN_IF_ERROR(ApplyFields(actor, request, record));
  std::vector<FieldProblem> invalid = ValidateTeacherRecord(record);
  if (!invalid.empty()) return ProblemsError(invalid, "");
  bool addition = true;
  for (const v1::FieldValue& f : request.fields()) {
    addition = addition && !IsFilled(teacher.record(), *ColumnByName(f.field()));
  }
  ASSIGN_OR_RETURN(std::string reviewer,
                   ChangeReviewer(actor, teacher.record().school_code(), addition));
  ChangeTarget target;
  target.kind = addition ? "addition" : "change";
  ASSIGN_OR_RETURN(uint64_t id, InsertChange(actor, teacher, reviewer, request.fields(),
                                             request.reason(), target));
  RETURN_IF_ERROR(txn.Commit());
  return LoadChange(id);
}

absl::StatusOr<uint64_t> Workflow::InsertChange(
    const User& actor, const v1::TeacherView& teacher, const std::string& reviewer,
    const google::protobuf::RepeatedPtrField<v1::FieldValue>& fields, const std::string& reason,
    const ChangeTarget& target) {
  v1::EditTeacherRequest stored;
  *stored.mutable_fields() = fields;
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store_.db().Prepare(
                       "INSERT INTO change_requests(teacher_number, kind, fields, base_version, "
                       "reviewer_unit, state, requested_by, reason, requested_unix, category, "
                       "entry_no, delete_entry) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, "
                       "?)"));
  insert.Bind(1, teacher.teacher_number()).Bind(2, target.kind);
  insert.BindBlob(3, stored.SerializeAsString()).Bind(4, int64_t{teacher.version()});
  insert.Bind(5, reviewer).Bind(6, actor.username).Bind(7, reason);
  insert.Bind(8, static_cast<int64_t>(std::time(nullptr)));
  insert.Bind(9, target.category).Bind(10, target.entry_no).Bind(11, target.delete_entry ? 1 : 0);
  RETURN_IF_ERROR(insert.Run());
  return static_cast<uint64_t>(store_.db().LastInsertRowId());
}

absl::StatusOr<v1::ChangeRequestView> Workflow::DecideChange(
    const User& actor, const v1::DecideChangeRequest& request) {
  if (!request.approve() && Blank(request.reason()))
    return absl::InvalidArgumentError("rejecting a change request needs a reason");
  RETURN_IF_ERROR(CheckRole(actor, {Role::kManager}, "deciding a change request"));
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  ASSIGN_OR_RETURN(v1::ChangeRequestView change, LoadChange(request.id()));
  if (change.state() != "pending") {
    return absl::FailedPreconditionError(absl::StrCat(
        "change request ", change.id(), " is already ", change.state()));
  }
  if (actor.unit_code != change.reviewer_unit()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "change request ", change.id(), " is decided by unit ", change.reviewer_unit(), "; ",
        actor.username, " is of unit ", actor.unit_code));
  }
  if (change.requested_by() == actor.username) {
    return absl::PermissionDeniedError(absl::StrCat(
        actor.username, " filed change request ", change.id(),
        " and cannot also decide it (谁填报谁负责、谁审核谁负责: the one who files and the one "
        "who decides are different people); another information manager of unit ",
        change.reviewer_unit(), " decides it"));
  }
  if (request.approve() && !change.category().empty()) {
    RETURN_IF_ERROR(ApplyEntryChange(change, actor));
  } else if (request.approve()) {
    ASSIGN_OR_RETURN(v1::TeacherView teacher, Load(change.teacher_number()));
    if (teacher.state() != kEffective) {
      return absl::FailedPreconditionError(absl::StrCat(
          "teacher ", teacher.teacher_number(), " is no longer effective (", teacher.state(),
          ")"));
    }
    v1::TeacherRecord record = teacher.record();
    for (const v1::FieldValue& f : change.fields()) {
      ASSIGN_OR_RETURN(TeacherColumn column, ColumnByName(f.field()));
      RETURN_IF_ERROR(SetTeacherField(record, column, f.value()));
    }
    std::vector<FieldProblem> invalid = ValidateTeacherRecord(record);
    if (!invalid.empty()) return ProblemsError(invalid, "");
    RETURN_IF_ERROR(WriteVersion(
        store_, teacher.teacher_number(),
        {kEffective, &record, OutboxOp::kUpsert, 0,
         ChangeMeta{change.requested_by(), absl::StrCat("change.", change.kind()),
                    change.reason(), actor.username}}));
  }
  ASSIGN_OR_RETURN(sql::Statement decide,
                   store_.db().Prepare("UPDATE change_requests SET state = ?, decided_by = ?, "
                                       "decision_reason = ?, decided_unix = ? WHERE id = ?"));
  decide.BindAll(request.approve() ? "approved" : "rejected", actor.username, request.reason(),
                 static_cast<int64_t>(std::time(nullptr)), change.id());
  RETURN_IF_ERROR(decide.Run());
  RETURN_IF_ERROR(txn.Commit());
  return LoadChange(change.id());
}

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

absl::Status Workflow::Withdraw(const User& actor, const std::string& teacher_number,
                              const std::string& reason) {
  ASSIGN_OR_RETURN(std::string province, store_.Province());
  RETURN_IF_ERROR(CheckProvinceLevel(actor, province, {Role::kSysAdmin, Role::kManager},
                                     "teacher.withdraw"));
  if (absl::StripAsciiWhitespace(reason).empty())
    return absl::InvalidArgumentError("a reason is required to withdraw a teacher");
  return WithdrawTeacher(store_, teacher_number,
                         ChangeMeta{actor.username, "teacher.withdraw", reason, ""});
}

}  // namespace ntmis::provincial
