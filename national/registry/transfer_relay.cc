#include "national/registry/transfer_relay.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace ntmis::national {

absl::StatusOr<std::unique_ptr<TransferRelay>> TransferRelay::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  return std::unique_ptr<TransferRelay>(new TransferRelay(std::move(db)));
}

absl::Status TransferRelay::Enqueue(const std::string& to,
                                    const v1::TransferMessage& m) {
  ASSIGN_OR_RETURN(sql::Statement insert,
                   db_.Prepare("INSERT INTO transfer_mail(to_province, "
                               "message) VALUES (?, ?)"));
  insert.Bind(1, to).BindBlob(2, m.SerializeAsString());
  return insert.Run();
}

absl::StatusOr<v1::TransferMail> TransferRelay::Exchange(
    const std::string& caller, const std::string& caller_certificate,
    const v1::TransferMail& in,
    const std::function<std::string(const std::string&)>& owner) {
  absl::MutexLock lock(&mu_);
  const int64_t now = std::time(nullptr);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  for (v1::TransferMessage m : in.messages()) {
    m.clear_seq();
    if (m.kind() == v1::TransferMessage::REQUEST) {
      m.set_receiving_province(caller);
      const std::string sending = owner(m.teacher_number());
      if (sending.empty() || sending == caller) {
        v1::TransferMessage refusal;
        refusal.set_kind(v1::TransferMessage::DECISION);
        refusal.set_receiving_province(caller);
        refusal.set_receiving_case(m.receiving_case());
        refusal.set_teacher_number(m.teacher_number());
        refusal.set_approved(false);
        refusal.set_decision_reason(absl::StrCat(
            "国家节点：教师 ", m.teacher_number(), " 现属本省，不是跨省调动"));
        RETURN_IF_ERROR(Enqueue(caller, refusal));
        continue;
      }
      ASSIGN_OR_RETURN(sql::Statement insert,
                       db_.Prepare("INSERT OR IGNORE INTO transfers VALUES "
                                   "(?, ?, ?, ?, 'open', ?, ?)"));
      RETURN_IF_ERROR(insert
                          .BindAll(caller,
                                   static_cast<int64_t>(m.receiving_case()),
                                   sending, m.teacher_number(), now, now)
                          .Run());
      if (db_.Changes() == 0) continue;  // relayed before
      m.set_sending_province(sending);
      m.set_receiving_certificate(caller_certificate);
      RETURN_IF_ERROR(Enqueue(sending, m));
    } else if (m.kind() == v1::TransferMessage::PROGRESS) {
      ASSIGN_OR_RETURN(
          sql::Statement open,
          db_.Prepare("UPDATE transfers SET updated_unix = ? WHERE "
                      "receiving_province = ? AND receiving_case = ? AND "
                      "sending_province = ? AND state = 'open'"));
      RETURN_IF_ERROR(open.BindAll(now, m.receiving_province(),
                                   static_cast<int64_t>(m.receiving_case()),
                                   caller)
                          .Run());
      if (db_.Changes() == 0) continue;
      m.set_sending_province(caller);
      RETURN_IF_ERROR(Enqueue(m.receiving_province(), m));
    } else if (m.kind() == v1::TransferMessage::DECISION) {
      ASSIGN_OR_RETURN(
          sql::Statement update,
          db_.Prepare("UPDATE transfers SET state = ?, updated_unix = ? WHERE "
                      "receiving_province = ? AND receiving_case = ? AND "
                      "sending_province = ? AND state = 'open'"));
      RETURN_IF_ERROR(update
                          .BindAll(m.approved() ? "completed" : "returned", now,
                                   m.receiving_province(),
                                   static_cast<int64_t>(m.receiving_case()),
                                   caller)
                          .Run());
      if (db_.Changes() == 0) continue;  // not this caller's, or decided before
      m.set_sending_province(caller);
      RETURN_IF_ERROR(Enqueue(m.receiving_province(), m));
    }
  }
  ASSIGN_OR_RETURN(sql::Statement stored,
                   db_.Prepare("DELETE FROM transfer_mail WHERE "
                               "to_province = ? AND seq <= ?"));
  RETURN_IF_ERROR(
      stored.BindAll(caller, static_cast<int64_t>(in.stored_through())).Run());
  ASSIGN_OR_RETURN(
      sql::Statement waiting,
      db_.Prepare(
          "SELECT seq, message FROM transfer_mail WHERE to_province = ? "
          "AND seq > ? ORDER BY seq LIMIT 100"));
  waiting.BindAll(caller, static_cast<int64_t>(in.stored_through()));
  v1::TransferMail out;
  RETURN_IF_ERROR(waiting.ForEachRow([&] {
    v1::TransferMessage* m = out.add_messages();
    m->ParseFromString(std::string(waiting.ColumnBlob(1)));
    m->set_seq(static_cast<uint64_t>(waiting.ColumnInt(0)));
  }));
  RETURN_IF_ERROR(txn.Commit());
  return out;
}

absl::StatusOr<std::vector<TransferRelay::Transfer>> TransferRelay::List() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      sql::Statement q,
      db_.Prepare(
          "SELECT receiving_province, receiving_case, sending_province, "
          "teacher_number, state, filed_unix, updated_unix FROM transfers "
          "ORDER BY state != 'open', filed_unix DESC"));
  std::vector<Transfer> out;
  RETURN_IF_ERROR(q.ForEachRow([&] {
    out.push_back({q.ColumnText(0), static_cast<uint64_t>(q.ColumnInt(1)),
                   q.ColumnText(2), q.ColumnText(3), q.ColumnText(4),
                   q.ColumnInt(5), q.ColumnInt(6)});
  }));
  return out;
}

}  // namespace ntmis::national
