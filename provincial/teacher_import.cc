#include "provincial/teacher_import.h"

#include <ctime>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/id_card.h"
#include "common/status_macros.h"
#include "common/teacher_number.h"

namespace ntmis::provincial {

absl::StatusOr<std::unique_ptr<TeacherRowHandler>> TeacherRowHandler::Create(
    Store& store, IdKeys keys) {
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::Sealer> sealer, crypto::Sealer::Create(keys.seal_key));
  std::unique_ptr<TeacherRowHandler> h(new TeacherRowHandler(keys, std::move(sealer)));
  ASSIGN_OR_RETURN(std::string province, store.Province());
  (void)absl::SimpleAtoi(province, &h->province_);
  ASSIGN_OR_RETURN(h->schools_, LoadSchools(store));
  ASSIGN_OR_RETURN(h->find_by_hash_,
                   store.db().Prepare("SELECT teacher_number FROM teachers WHERE id_hash = ?"));
  return h;
}

const std::vector<std::string>& TeacherRowHandler::columns() const {
  return TeacherTemplateColumns();
}

bool TeacherRowHandler::Stage(const std::vector<std::string>& fields,
                              const ColumnIndex& index, RowProblems& problems) {
  if (!ParseTeacherRow(fields, index, province_, schools_, id_hasher_, &parsed_, problems))
    return false;
  const std::string& hash = parsed_.record.id_hash();
  std::string masked = MaskIdCard(parsed_.id_card);
  auto [it, inserted] = seen_in_file_.emplace(hash, problems.row());
  if (!inserted) {
    problems.Add("id_card_number", masked,
                 absl::StrCat("duplicate: the same ID-card number is on row ",
                              it->second, " of this file"));
    return false;
  }
  find_by_hash_->BindBlob(1, hash);
  auto found = find_by_hash_->Step();
  std::string existing = found.ok() && *found ? find_by_hash_->ColumnText(0) : "";
  find_by_hash_->Reset();
  if (!found.ok() || !existing.empty()) {
    seen_in_file_.erase(hash);
    problems.Add("id_card_number", masked,
                 found.ok() ? absl::StrCat("already registered as teacher ", existing,
                                           " (one person, one number)")
                            : std::string(found.status().message()));
    return false;
  }
  auto sealed = sealer_->Seal(parsed_.id_card);
  if (!sealed.ok()) {
    problems.Add("id_card_number", masked, std::string(sealed.status().message()));
    return false;
  }
  Staged staged{std::move(parsed_.record), std::move(*sealed)};
  staged_.push_back(std::move(staged));
  return true;
}

absl::Status TeacherRowHandler::Flush(Store& store) {
  ASSIGN_OR_RETURN(int64_t next, store.GetMetaInt("next_teacher_seq", 1));
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store.db().Prepare(
                       "INSERT INTO teachers(teacher_number, id_hash, id_sealed, "
                       "school_code, state, record, version, updated_unix) "
                       "VALUES (?, ?, ?, ?, 'effective', ?, 1, ?)"));
  int64_t now = std::time(nullptr);
  std::string bytes;
  for (Staged& s : staged_) {
    s.record.set_teacher_number(MintTeacherNumber(province_, next++));
    s.record.SerializeToString(&bytes);
    insert.Bind(1, s.record.teacher_number());
    insert.BindBlob(2, s.record.id_hash());
    insert.BindBlob(3, s.id_sealed);
    insert.Bind(4, s.record.school_code());
    insert.BindBlob(5, bytes);
    insert.Bind(6, now);
    RETURN_IF_ERROR(insert.Run());
    RETURN_IF_ERROR(store.AppendOutbox(s.record.teacher_number(), OutboxOp::kUpsert));
  }
  RETURN_IF_ERROR(store.SetMeta("next_teacher_seq", absl::StrCat(next)));
  staged_.clear();
  return absl::OkStatus();
}

}  // namespace ntmis::provincial
