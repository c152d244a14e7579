#include "provincial/core/outbox.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "provincial/core/teacher_state.h"

namespace ntmis::provincial {

absl::StatusOr<OutboxReader> OutboxReader::Create(Store& store) {
  ASSIGN_OR_RETURN(
      sql::Statement page,
      store.db().Prepare(absl::StrCat(
          "SELECT o.seq, o.teacher_number, o.op, t.record, o.moved_to "
          "FROM outbox o LEFT JOIN teachers t "
          "ON t.teacher_number = o.teacher_number AND t.state = '",
          StateName(TeacherState::kEffective),
          "' WHERE o.seq > ? ORDER BY o.seq LIMIT ?")));
  return OutboxReader(std::move(page));
}

absl::StatusOr<uint64_t> OutboxReader::Next(uint64_t after, uint32_t limit,
                                            v1::PushBatch* batch) {
  batch->Clear();
  page_.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
  uint64_t last = after;
  while (true) {
    auto row = page_.Step();
    if (!row.ok()) {
      page_.Reset();
      return row.status();
    }
    if (!*row) break;
    v1::Change* change = batch->add_changes();
    last = page_.ColumnInt(0);
    change->set_seq(last);
    change->set_teacher_number(page_.ColumnText(1));
    if (page_.ColumnInt(2) == static_cast<int>(OutboxOp::kTombstone) ||
        page_.ColumnIsNull(3)) {
      change->set_tombstone(true);
      change->set_moved_to(static_cast<v1::Province>(page_.ColumnInt(4)));
    } else if (!change->mutable_record()->ParseFromString(
                   std::string(page_.ColumnBlob(3)))) {
      page_.Reset();
      return absl::DataLossError(absl::StrCat(
          "stored record of ", change->teacher_number(), " is unreadable"));
    }
  }
  page_.Reset();
  return last;
}

}  // namespace ntmis::provincial
