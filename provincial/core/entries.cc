#include "provincial/core/entries.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "provincial/core/action_labels.h"
#include "provincial/core/categories.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {
namespace {

constexpr char kEntryColumns[] =
    "SELECT category, entry_no, entry_values, deleted, version, changed_by, "
    "change_action, "
    "change_reason, approved_by, updated_unix FROM teacher_entries ";

absl::StatusOr<v1::EntryView> EntryFrom(const Store& store,
                                        const sql::Statement& row) {
  v1::EntryView e;
  e.set_category(row.ColumnText(0));
  e.set_entry_no(row.ColumnInt(1));
  v1::EntryValues values;
  ASSIGN_OR_RETURN(std::string bytes, store.OpenAtRest(row.ColumnBlob(2)));
  values.ParseFromString(bytes);
  *e.mutable_values() = std::move(*values.mutable_values());
  e.set_deleted(row.ColumnInt(3) != 0);
  e.set_version(row.ColumnInt(4));
  e.set_changed_by(row.ColumnText(5));
  e.set_change_action(row.ColumnText(6));
  e.set_change_action_label(ActionLabel(e.change_action()));
  e.set_change_reason(row.ColumnText(7));
  e.set_approved_by(row.ColumnText(8));
  e.set_updated_unix(row.ColumnInt(9));
  return e;
}

absl::StatusOr<std::vector<v1::EntryView>> Collect(const Store& store,
                                                   sql::Statement& q) {
  std::vector<v1::EntryView> entries;
  RETURN_IF_ERROR(q.ForEachRow([&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::EntryView entry, EntryFrom(store, q));
    entries.push_back(std::move(entry));
    return absl::OkStatus();
  }));
  return entries;
}

}  // namespace

absl::StatusOr<int64_t> EntryWriter::Write(const std::string& teacher_number,
                                           const std::string& category,
                                           int64_t entry_no,
                                           const v1::EntryValues& values,
                                           bool deleted,
                                           const ChangeMeta& meta) {
  const int64_t now = std::time(nullptr);
  ASSIGN_OR_RETURN(const std::string bytes,
                   store_.SealAtRest(values.SerializeAsString()));
  RETURN_IF_ERROR(CheckNotLocked(store_, teacher_number));
  if (!last_) {
    ASSIGN_OR_RETURN(
        last_, store_.db().Prepare(
                   "SELECT COALESCE(MAX(entry_no), 0) FROM teacher_entries "
                   "WHERE teacher_number = ? AND category = ?"));
    ASSIGN_OR_RETURN(
        insert_, store_.db().Prepare(
                     "INSERT INTO teacher_entries(teacher_number, category, "
                     "entry_no, entry_values, deleted, version, changed_by, "
                     "change_action, change_reason, approved_by, updated_unix) "
                     "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)"));
    ASSIGN_OR_RETURN(
        keep_,
        store_.db().Prepare(
            "INSERT INTO entry_versions(teacher_number, category, entry_no, "
            "version, entry_values, deleted, changed_by, change_action, "
            "change_reason, approved_by, at_unix) SELECT teacher_number, "
            "category, entry_no, version, entry_values, deleted, changed_by, "
            "change_action, change_reason, approved_by, updated_unix FROM "
            "teacher_entries WHERE teacher_number = ? AND category = ? AND "
            "entry_no = ?"));
    ASSIGN_OR_RETURN(
        update_,
        store_.db().Prepare(
            "UPDATE teacher_entries SET entry_values = ?, deleted = ?, "
            "version = version + 1, changed_by = ?, change_action = ?, "
            "change_reason = ?, approved_by = ?, updated_unix = ? WHERE "
            "teacher_number = ? AND category = ? AND entry_no = ?"));
  }
  if (entry_no == 0) {
    last_->Reset();
    last_->BindAll(teacher_number, category);
    ASSIGN_OR_RETURN(bool row, last_->Step());
    entry_no = (row ? last_->ColumnInt(0) : 0) + 1;
    last_->Reset();
    insert_->Reset();
    insert_->BindAll(teacher_number, category, entry_no);
    insert_->BindBlobView(4, bytes).Bind(5, deleted ? 1 : 0);
    insert_->Bind(6, meta.actor).Bind(7, meta.action).Bind(8, meta.reason);
    insert_->Bind(9, meta.approved_by).Bind(10, now);
    RETURN_IF_ERROR(insert_->Run());
    return entry_no;
  }
  keep_->Reset();
  RETURN_IF_ERROR(keep_->BindAll(teacher_number, category, entry_no).Run());
  if (store_.db().Changes() == 0) {
    return absl::NotFoundError(
        absl::StrCat("教师 ", teacher_number, " 的「", CategoryLabel(category),
                     "」没有第 ", entry_no, " 条（序号填错，或这一条已删除）"));
  }
  update_->Reset();
  update_->BindBlobView(1, bytes).Bind(2, deleted ? 1 : 0);
  update_->Bind(3, meta.actor).Bind(4, meta.action).Bind(5, meta.reason);
  update_->Bind(6, meta.approved_by).Bind(7, now);
  update_->Bind(8, teacher_number).Bind(9, category).Bind(10, entry_no);
  RETURN_IF_ERROR(update_->Run());
  return entry_no;
}

absl::StatusOr<int64_t> WriteEntry(Store& store,
                                   const std::string& teacher_number,
                                   const std::string& category,
                                   int64_t entry_no,
                                   const v1::EntryValues& values, bool deleted,
                                   const ChangeMeta& meta) {
  return EntryWriter(store).Write(teacher_number, category, entry_no, values,
                                  deleted, meta);
}

absl::StatusOr<std::vector<v1::EntryView>> LoadEntries(
    Store& store, const std::string& teacher_number,
    const std::string& category, bool with_deleted) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(absl::StrCat(
          kEntryColumns,
          "WHERE teacher_number = ?1 AND (?2 = '' OR category = ?2)",
          with_deleted ? "" : " AND deleted = 0",
          " ORDER BY category, entry_no")));
  q.BindAll(teacher_number, category);
  return Collect(store, q);
}

absl::StatusOr<std::optional<v1::EntryView>> LoadEntry(
    Store& store, const std::string& teacher_number,
    const std::string& category, int64_t entry_no) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare(absl::StrCat(
          kEntryColumns,
          "WHERE teacher_number = ? AND category = ? AND entry_no = ?")));
  q.BindAll(teacher_number, category, entry_no);
  ASSIGN_OR_RETURN(std::vector<v1::EntryView> found, Collect(store, q));
  if (found.empty()) return std::nullopt;
  return found[0];
}

absl::StatusOr<std::vector<v1::EntryView>> EntryHistory(
    Store& store, const std::string& teacher_number) {
  ASSIGN_OR_RETURN(
      sql::Statement q,
      store.db().Prepare("SELECT category, entry_no, entry_values, deleted, "
                         "version, changed_by, "
                         "change_action, change_reason, approved_by, at_unix "
                         "FROM entry_versions "
                         "WHERE teacher_number = ? ORDER BY at_unix, category, "
                         "entry_no, version"));
  q.BindAll(teacher_number);
  return Collect(store, q);
}

}  // namespace ntmis::provincial
