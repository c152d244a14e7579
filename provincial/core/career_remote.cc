// Transfers between provinces (provincial/core/careers.h): the receiving
// province files and decides its own steps, then asks the owning province
// through the national node's relay; the owning province decides its steps
// and answers, with the teacher's whole file sealed for the receiving node.
#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/crypto/envelope.h"
#include "provincial/core/careers.h"
#include "provincial/core/careers_internal.h"
#include "provincial/core/entries.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {
namespace {

// The teacher's whole file: the record with its ID-card number in clear
// (only ever sealed for the receiving node), every category's entries with
// their superseded versions.
absl::StatusOr<v1::TeacherFile> BuildFile(Store& store,
                                          const std::string& number,
                                          const std::string& seal_key) {
  v1::TeacherFile file;
  ASSIGN_OR_RETURN(StoredTeacher t, LoadTeacher(store, number));
  *file.mutable_record() = t.record;
  ASSIGN_OR_RETURN(std::string sealed, LoadSealedIdCard(store, number));
  ASSIGN_OR_RETURN(*file.mutable_id_card_number(),
                   crypto::Open(seal_key, sealed));
  ASSIGN_OR_RETURN(std::vector<v1::EntryView> entries,
                   LoadEntries(store, number, "", true));
  for (v1::EntryView& e : entries) *file.add_entries() = std::move(e);
  ASSIGN_OR_RETURN(std::vector<v1::EntryView> history,
                   EntryHistory(store, number));
  for (v1::EntryView& e : history) *file.add_entry_history() = std::move(e);
  return file;
}

}  // namespace

absl::Status Careers::Send(const v1::TransferMessage& message) {
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store_.db().Prepare("INSERT INTO transfer_mail_out(message) VALUES (?)"));
  insert.BindBlob(1, message.SerializeAsString());
  return insert.Run();
}

absl::StatusOr<v1::CareerCase> Careers::FileRemoteTransfer(
    const User& actor, const std::string& number, const std::string& to_school,
    const std::string& date, const std::string& reason) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store_.db()));
  absl::StatusOr<SchoolPlace> to = OpenSchool(store_, to_school);
  if (!to.ok())
    return absl::FailedPreconditionError(absl::StrCat(
        "to_school='", to_school, "': 调入单位须是可接收教师的学校：",
        to.status().message()));
  v1::CareerCase c;
  c.set_kind(v1::CAREER_TRANSFER);
  c.set_teacher_number(number);
  c.set_effective_date(date);
  c.set_reason(reason);
  Parties parties;
  parties.to_school = to_school;
  parties.to = *to;
  parties.remote_sending = true;
  ASSIGN_OR_RETURN(c, Insert(actor, std::move(c), parties));
  RETURN_IF_ERROR(txn.Commit());
  Describe(c);
  return c;
}

absl::Status Careers::RequestRemote(const v1::CareerCase& c) {
  v1::TransferMessage m;
  m.set_kind(v1::TransferMessage::REQUEST);
  m.set_receiving_case(c.id());
  m.set_teacher_number(c.teacher_number());
  m.set_to_school(c.to_school());
  absl::StatusOr<Unit> school = LoadUnit(store_, c.to_school());
  m.set_to_school_name(school.ok() ? school->name : c.to_school());
  m.set_effective_date(c.effective_date());
  m.set_reason(c.reason());
  m.set_filed_by(c.filed_by());
  for (int i = 0; i < static_cast<int>(c.step()); ++i)
    *m.add_receiving_steps() = c.steps(i);
  return Send(m);
}

absl::Status Careers::ReportProgress(const v1::CareerCase& c) {
  v1::TransferMessage m;
  m.set_kind(v1::TransferMessage::PROGRESS);
  m.set_receiving_province(c.remote_province());
  m.set_receiving_case(c.remote_case());
  m.set_teacher_number(c.teacher_number());
  *m.mutable_sending_steps() = c.steps();
  return Send(m);
}

absl::Status Careers::AnswerIncoming(v1::CareerCase& c, bool approved,
                                     const std::string& reason,
                                     const std::string& approvers) {
  v1::TransferMessage m;
  m.set_kind(v1::TransferMessage::DECISION);
  m.set_receiving_province(c.remote_province());
  m.set_receiving_case(c.remote_case());
  m.set_teacher_number(c.teacher_number());
  m.set_approved(approved);
  m.set_decision_reason(reason);
  *m.mutable_sending_steps() = c.steps();
  if (approved) {
    ASSIGN_OR_RETURN(v1::TeacherFile file,
                     BuildFile(store_, c.teacher_number(), seal_key_));
    ASSIGN_OR_RETURN(
        *m.mutable_sealed_file(),
        SealFor(c.receiving_certificate(), file.SerializeAsString()));
    RETURN_IF_ERROR(LockForCase(store_, c.teacher_number(), 0));
    ChangeMeta meta;
    meta.actor = c.filed_by();
    meta.action = absl::StrCat("career.transfer_out #", c.id());
    meta.reason = c.reason();
    meta.approved_by = approvers;
    int to_province = 0;
    if (!absl::SimpleAtoi(c.remote_province(), &to_province))
      return absl::DataLossError(
          absl::StrCat("case ", c.id(), " names no receiving province"));
    RETURN_IF_ERROR(
        HandOverTeacher(store_, c.teacher_number(), to_province, meta));
    c.set_state(kCaseCompleted);
    c.set_closed_unix(std::time(nullptr));
  }
  return Send(m);
}

absl::Status Careers::ReceiveTransferMessage(
    const v1::TransferMessage& m,
    const std::function<absl::StatusOr<std::string>(const std::string&)>&
        open_sealed) {
  if (m.kind() == v1::TransferMessage::REQUEST) {
    // This province owns the teacher: an incoming case, unless it exists.
    ASSIGN_OR_RETURN(
        sql::Statement seen,
        store_.db().Prepare("SELECT COUNT(*) FROM career_cases WHERE "
                            "remote_province = ? AND remote_case = ?"));
    seen.BindAll(m.receiving_province(),
                 static_cast<int64_t>(m.receiving_case()));
    int64_t count = 0;
    RETURN_IF_ERROR(seen.ForEachRow([&] { count = seen.ColumnInt(0); }));
    if (count > 0) return absl::OkStatus();
    v1::CareerCase c;
    c.set_kind(v1::CAREER_TRANSFER);
    c.set_incoming(true);
    c.set_teacher_number(m.teacher_number());
    c.set_remote_province(m.receiving_province());
    c.set_remote_case(m.receiving_case());
    c.set_receiving_certificate(m.receiving_certificate());
    c.set_effective_date(m.effective_date());
    c.set_reason(m.reason());
    c.set_to_school_name(m.to_school_name());
    *c.mutable_remote_steps() = m.receiving_steps();
    auto refuse = [&](const std::string& why) {
      c.set_state(kCaseReturned);  // nothing stored: the answer says why
      return AnswerIncoming(c, false, why, "");
    };
    absl::StatusOr<StoredTeacher> t = LoadTeacher(store_, m.teacher_number());
    if (!t.ok())
      return refuse(absl::StrCat("调出省份没有教师 ", m.teacher_number()));
    if (t->state != TeacherState::kEffective)
      return refuse(absl::StrCat("教师 ", m.teacher_number(),
                                 " 在调出省份的记录为「", StateLabel(t->state),
                                 "」，不能调动"));
    absl::StatusOr<SchoolPlace> from =
        OpenSchool(store_, t->record.school_code());
    if (!from.ok()) return refuse(std::string(from.status().message()));
    Parties parties;
    parties.from_school = t->record.school_code();
    parties.to_school = m.to_school();
    parties.from = *from;
    parties.incoming = true;
    User filer;
    filer.username = absl::StrCat(m.filed_by(), "@", m.receiving_province());
    filer.unit_code = absl::StrCat("province-", m.receiving_province());
    filer.role = Role::kManager;
    absl::StatusOr<v1::CareerCase> filed = Insert(filer, std::move(c), parties);
    if (absl::IsAlreadyExists(filed.status()))
      return refuse(std::string(filed.status().message()));
    RETURN_IF_ERROR(filed.status());
    return LockForCase(store_, m.teacher_number(),
                       static_cast<int64_t>(filed->id()));
  }
  if (m.kind() != v1::TransferMessage::DECISION &&
      m.kind() != v1::TransferMessage::PROGRESS)
    return absl::OkStatus();
  // The owning province decided a transfer this province filed, or a step of
  // it.
  absl::StatusOr<v1::CareerCase> loaded = Load(m.receiving_case());
  if (!loaded.ok()) return absl::OkStatus();
  v1::CareerCase c = *std::move(loaded);
  if (c.kind() != v1::CAREER_TRANSFER || c.state() != kCaseOpen ||
      !IsRemoteStep(c.steps(static_cast<int>(c.step()))))
    return absl::OkStatus();  // applied before
  if (m.kind() == v1::TransferMessage::PROGRESS) {
    *c.mutable_remote_steps() = m.sending_steps();
    c.set_remote_province(m.sending_province());
    return Save(c);
  }
  // The placeholder gives way to the owning province's own steps.
  v1::CareerCase decided = c;
  decided.clear_steps();
  for (int i = 0; i < static_cast<int>(c.step()); ++i)
    *decided.add_steps() = c.steps(i);
  for (const v1::CareerStep& s : m.sending_steps()) *decided.add_steps() = s;
  if (m.sending_steps_size() == 0) {
    v1::CareerStep* s = decided.add_steps();
    *s = c.steps(static_cast<int>(c.step()));
    s->set_decision(m.approved() ? "approved" : "returned");
    s->set_reason(m.decision_reason());
  }
  decided.set_step(static_cast<uint32_t>(decided.steps_size() - 1));
  decided.set_remote_province(m.sending_province());
  *decided.mutable_remote_steps() = m.sending_steps();  // all decided now
  decided.set_closed_unix(std::time(nullptr));
  if (!m.approved()) {
    decided.set_state(kCaseReturned);
    decided.set_closing_reason(m.decision_reason());
    return Save(decided);
  }
  ASSIGN_OR_RETURN(std::string bytes, open_sealed(m.sealed_file()));
  v1::TeacherFile file;
  if (!file.ParseFromString(bytes))
    return absl::DataLossError(
        absl::StrCat("case ", c.id(), ": the teacher's file is damaged"));
  ASSIGN_OR_RETURN(std::string province, store_.Province());
  ASSIGN_OR_RETURN(SchoolPlace place, OpenSchool(store_, c.to_school()));
  v1::TeacherRecord record = file.record();
  int code = 0;
  (void)absl::SimpleAtoi(province, &code);
  record.set_province(static_cast<v1::Province>(code));
  record.set_school_code(c.to_school());
  record.set_city_code(place.city_code);
  record.set_county_code(place.county_code);
  record.set_school_category(place.category);
  ASSIGN_OR_RETURN(auto sealer, crypto::Sealer::Create(seal_key_));
  ASSIGN_OR_RETURN(std::string id_sealed, sealer->Seal(file.id_card_number()));
  ChangeMeta meta;
  meta.actor = c.filed_by();
  meta.action = absl::StrCat("career.transfer_in #", c.id());
  meta.reason = c.reason();
  std::vector<std::string> approvers;
  for (const v1::CareerStep& s : decided.steps())
    if (!s.decided_by().empty()) approvers.push_back(s.decided_by());
  meta.approved_by = absl::StrJoin(approvers, ",");
  RETURN_IF_ERROR(AdmitTeacher(store_, record, id_sealed, meta));
  // The categories with their history: each entry's superseded versions in
  // order, then its current one, so the history reads as it did there.
  EntryWriter writer(store_);
  ChangeMeta entry_meta;
  entry_meta.action = absl::StrCat("career.transfer_in #", c.id());
  for (const v1::EntryView& e : file.entries()) {
    int64_t entry_no = 0;
    for (const v1::EntryView& h : file.entry_history()) {
      if (h.category() != e.category() || h.entry_no() != e.entry_no())
        continue;
      v1::EntryValues values;
      *values.mutable_values() = h.values();
      ASSIGN_OR_RETURN(entry_no,
                       writer.Write(record.teacher_number(), e.category(),
                                    entry_no, values, h.deleted(), entry_meta));
    }
    v1::EntryValues values;
    *values.mutable_values() = e.values();
    RETURN_IF_ERROR(writer
                        .Write(record.teacher_number(), e.category(), entry_no,
                               values, e.deleted(), entry_meta)
                        .status());
  }
  decided.set_state(kCaseCompleted);
  return Save(decided);
}

}  // namespace ntmis::provincial
