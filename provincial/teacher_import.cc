#include "provincial/teacher_import.h"

#include <ctime>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/id_card.h"
#include "common/status_macros.h"
#include "common/teacher_number.h"

namespace ntmis::provincial {
namespace {

// Field 1 (teacher_number, length-delimited) of a TeacherRecord: protobuf
// parsers accept fields in any order, so tag + length + number prepended to
// the rest of the serialized record is the whole record.
std::string WithTeacherNumber(const std::string& number, const std::string& rest) {
  std::string bytes;
  bytes.reserve(2 + number.size() + rest.size());
  bytes.push_back(static_cast<char>((1 << 3) | 2));
  bytes.push_back(static_cast<char>(number.size()));
  bytes += number;
  bytes += rest;
  return bytes;
}

}  // namespace

struct TeacherRowHandler::Rows final : PreparedRows {
  std::vector<Row> rows;
  size_t size() const override { return rows.size(); }
};

absl::StatusOr<std::unique_ptr<TeacherRowHandler>> TeacherRowHandler::Create(
    Store& store, const IdKeys& keys, IdentityResolver* resolver) {
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::Sealer> sealer,
                   crypto::Sealer::Create(keys.seal_key));
  std::unique_ptr<TeacherRowHandler> h(
      new TeacherRowHandler(keys, std::move(sealer), resolver));
  ASSIGN_OR_RETURN(std::string province, store.Province());
  (void)absl::SimpleAtoi(province, &h->province_);
  ASSIGN_OR_RETURN(h->schools_, LoadSchools(store));
  return h;
}

const std::vector<std::string>& TeacherRowHandler::columns() const {
  return TeacherTemplateColumns();
}

bool TeacherRowHandler::Prepare(const std::vector<std::string>& fields,
                                const ColumnIndex& index, RowProblems& problems) {
  if (!ParseTeacherRow(fields, index, province_, schools_, id_hasher_, &parsed_, problems))
    return false;
  v1::TeacherRecord& record = parsed_.record;
  std::string masked = MaskIdCard(parsed_.id_card);
  auto [it, inserted] = rows_by_id_hash_.emplace(record.id_hash(), problems.row());
  if (!inserted) {
    problems.Add(TeacherTemplateColumns()[kIdCardNumber], masked,
                 absl::StrCat("duplicate: the same ID-card number is on row ", it->second,
                              " of this file"));
    return false;
  }
  auto sealed = sealer_->Seal(parsed_.id_card);
  if (!sealed.ok()) {
    problems.Add(TeacherTemplateColumns()[kIdCardNumber], masked,
                 std::string(sealed.status().message()));
    return false;
  }
  Row row{problems.row(), record.id_hash(), std::move(*sealed), std::move(masked),
          record.school_code(), {}, std::nullopt, false};
  record.clear_teacher_number();  // minted by the writer
  record.SerializeToString(&row.record_rest);
  prepared_.push_back(std::move(row));
  return true;
}

std::unique_ptr<PreparedRows> TeacherRowHandler::TakePrepared() {
  auto rows = std::make_unique<Rows>();
  rows->rows.swap(prepared_);
  // Asked here, on the parsing side, so no write transaction waits on the
  // network. If the registry cannot answer, the rows are provisional.
  std::vector<std::string> hashes;
  for (const Row& r : rows->rows) hashes.push_back(r.id_hash);
  absl::StatusOr<std::vector<std::optional<KnownIdentity>>> known =
      resolver_ == nullptr ? absl::UnavailableError("no national node configured")
                           : resolver_->Resolve(hashes);
  for (size_t i = 0; i < rows->rows.size(); ++i) {
    if (known.ok()) {
      rows->rows[i].known = (*known)[i];
    } else {
      rows->rows[i].provisional = true;
    }
  }
  return rows;
}

void TeacherRowHandler::Describe(v1::ImportReport* report) const {
  report->set_numbers_reused(reused_.size());
  for (size_t i = 0; i < reused_.size() && i < 1000; ++i) *report->add_reused() = reused_[i];
  report->set_provisional(provisional_);
}

absl::Status TeacherRowHandler::BeginBatch(Store& store) {
  ASSIGN_OR_RETURN(next_sequence_, store.GetMetaInt("next_teacher_seq", 1));
  if (!insert_) {
    ASSIGN_OR_RETURN(insert_, store.db().Prepare(
                                  "INSERT INTO teachers(teacher_number, id_hash, id_sealed, "
                                  "school_code, state, record, version, updated_unix, "
                                  "provisional) VALUES (?, ?, ?, ?, 'effective', ?, 1, ?, ?) "
                                  "ON CONFLICT DO NOTHING"));
    ASSIGN_OR_RETURN(find_, store.db().Prepare(
                                "SELECT teacher_number FROM teachers WHERE id_hash = ?"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TeacherRowHandler::Write(Store& store, PreparedRows& prepared,
                                                  std::vector<v1::ImportProblem>* problems) {
  const int64_t now = std::time(nullptr);
  uint64_t written = 0;
  for (const Row& row : static_cast<Rows&>(prepared).rows) {
    const bool minted = !row.known;
    std::string number =
        minted ? MintTeacherNumber(province_, next_sequence_) : row.known->teacher_number;
    std::string record = WithTeacherNumber(number, row.record_rest);
    insert_->BindView(1, number).BindBlobView(2, row.id_hash).BindBlobView(3, row.id_sealed);
    insert_->BindView(4, row.school_code).BindBlobView(5, record);
    insert_->Bind(6, now).Bind(7, row.provisional ? 1 : 0);
    RETURN_IF_ERROR(insert_->Run());
    if (store.db().Changes() == 0) {
      // The ID-card number is already registered here, or (a reused
      // national number) another teacher here has that number.
      find_->BindBlob(1, row.id_hash);
      ASSIGN_OR_RETURN(bool found, find_->Step());
      std::string existing = found ? find_->ColumnText(0) : "";
      find_->Reset();
      v1::ImportProblem p;
      p.set_row(row.row);
      p.set_column(TeacherTemplateColumns()[kIdCardNumber]);
      p.set_value(row.id_masked);
      p.set_rule(found ? absl::StrCat("already registered as teacher ", existing,
                                      " (one person, one number)")
                       : absl::StrCat("the national registry names this person teacher ",
                                      number, ", a number another teacher of this province "
                                      "has; resolve by hand"));
      problems->push_back(std::move(p));
      continue;
    }
    RETURN_IF_ERROR(store.AppendOutbox(number, OutboxOp::kUpsert));
    if (minted) ++next_sequence_;
    if (row.provisional) ++provisional_;
    if (!minted) {
      v1::ReusedNumber reused;
      reused.set_row(row.row);
      reused.set_teacher_number(number);
      reused.set_owner_province(row.known->owner_province);
      reused_.push_back(std::move(reused));
    }
    ++written;
  }
  return written;
}

absl::Status TeacherRowHandler::EndBatch(Store& store) {
  return store.SetMeta("next_teacher_seq", absl::StrCat(next_sequence_));
}

}  // namespace ntmis::provincial
