#include "national/ingest/province_db.h"
#include "national/ingest/province_db_internal.h"

namespace ntmis::national {

absl::StatusOr<PreparedBatch> ProvinceDb::Prepare(v1::PushBatch batch,
                                                  size_t max_changes) const {
  // Shape checks first: nothing is written for a batch that fails them.
  if (batch.changes_size() == 0)
    return absl::InvalidArgumentError("empty batch");
  if (batch.end_of_stream())
    return absl::InvalidArgumentError(
        "the end-of-stream message must carry no changes");
  if (batch.catalog_version() > kCoreCatalogVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch written with core catalog version ", batch.catalog_version(),
        "; this national node knows versions 1 to ", kCoreCatalogVersion,
        ": upgrade ntmis-national"));
  }
  if (static_cast<size_t>(batch.changes_size()) > max_changes) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch of ", batch.changes_size(),
                     " changes exceeds the limit of ", max_changes));
  }
  const int province_code = std::stoi(province_);
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    if (i > 0 && c.seq() != batch.changes(i - 1).seq() + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sequence numbers must be consecutive: ", batch.changes(i - 1).seq(),
          " is followed by ", c.seq()));
    }
    if (c.seq() == 0)
      return absl::InvalidArgumentError("sequence numbers start at 1");
    if (c.body_case() == v1::Change::BODY_NOT_SET)
      return absl::InvalidArgumentError(
          absl::StrCat("change ", c.seq(), " has no body"));
    if (!IsValidTeacherNumber(c.teacher_number())) {
      return absl::InvalidArgumentError(
          absl::StrCat("change ", c.seq(), ": '", c.teacher_number(),
                       "' is not a teacher number (12 digits with a MOD 11-10 "
                       "check digit)"));
    }
    if (c.moved_to() != v1::PROVINCE_UNSPECIFIED &&
        (!c.tombstone() || !IsProvinceCode(c.moved_to()) ||
         c.moved_to() == province_code)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "change ", c.seq(), ": moved_to=", static_cast<int>(c.moved_to()),
          " must name another province and go with a tombstone"));
    }
    if (c.has_record()) {
      if (c.record().province() != province_code) {
        return absl::PermissionDeniedError(
            absl::StrCat("province ", province_, " may not write teacher ",
                         c.teacher_number(), " of province ",
                         static_cast<int>(c.record().province())));
      }
      if (c.record().teacher_number() != c.teacher_number()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "change ", c.seq(), " names teacher ", c.teacher_number(),
            " but carries the record of ", c.record().teacher_number()));
      }
    }
  }

  // Everything that needs no database: validation, the bytes to store, the
  // rollup cell.
  PreparedBatch prepared;
  prepared.changes.resize(batch.changes_size());
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    PreparedChange& p = prepared.changes[i];
    if (!c.has_record()) continue;
    std::vector<FieldProblem> problems = ValidateTeacherRecord(c.record());
    if (!problems.empty()) {
      p.rejected_field = problems[0].field;
      p.rejected_reason = JoinProblems(problems);
      continue;
    }
    c.record().SerializeToString(&p.bytes);
    p.cell = CellOf(c.record());
    p.outlook = outlook::CellOf(c.record());
    p.hash = RecordHash(c.teacher_number(), p.bytes);
    p.id_key = IdKey(c.record());
  }
  prepared.batch = std::move(batch);
  return prepared;
}

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const v1::PushBatch& batch,
                                              size_t max_changes) {
  ASSIGN_OR_RETURN(PreparedBatch prepared, Prepare(batch, max_changes));
  RETURN_IF_ERROR(Claim(prepared));
  return Apply(prepared);
}

absl::Status ProvinceDb::Claim(PreparedBatch& prepared) {
  const v1::PushBatch& batch = prepared.batch;
  prepared.registered.assign(batch.changes_size(), std::nullopt);
  std::vector<IdentityRegistry::Claim> claims;
  std::vector<int> claimed_by;  // change index of each claim
  {
    absl::MutexLock lock(&read_mu_);
    ASSIGN_OR_RETURN(
        int64_t cursor,
        reader_.QueryInt("SELECT applied_seq FROM sync_state WHERE id = 1"));
    ASSIGN_OR_RETURN(
        sql::Statement stored,
        reader_.Prepare(
            "SELECT id_key FROM teachers WHERE teacher_number = ?"));
    for (int i = 0; i < batch.changes_size(); ++i) {
      const v1::Change& c = batch.changes(i);
      const PreparedChange& p = prepared.changes[i];
      if (c.seq() <= static_cast<uint64_t>(cursor) || !c.has_record() ||
          !p.rejected_field.empty() || p.id_key == 0) {
        continue;
      }
      stored.BindView(1, c.teacher_number());
      ASSIGN_OR_RETURN(bool row, stored.Step());
      const bool same =
          row && !stored.ColumnIsNull(0) && stored.ColumnInt(0) == p.id_key;
      stored.Reset();
      if (same) continue;
      claims.push_back({c.record().id_hash(), c.teacher_number()});
      claimed_by.push_back(i);
    }
  }
  if (claims.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto answers, identities_.ClaimAll(province_, claims));
  for (size_t k = 0; k < answers.size(); ++k)
    prepared.registered[claimed_by[k]] = std::move(answers[k]);
  return absl::OkStatus();
}

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const PreparedBatch& prepared) {
  const v1::PushBatch& batch = prepared.batch;
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(
      int64_t cursor,
      writer_.QueryInt("SELECT applied_seq FROM sync_state WHERE id = 1"));
  const uint64_t first = batch.changes(0).seq();
  const uint64_t last = batch.changes(batch.changes_size() - 1).seq();
  if (first > static_cast<uint64_t>(cursor) + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "gap: the national node has applied up to seq ", cursor,
        "; a batch must start at or before ", cursor + 1, ", not ", first));
  }
  v1::PushAck ack;
  if (last <= static_cast<uint64_t>(cursor)) {
    ack.set_applied_seq(cursor);
    ack.set_skipped(batch.changes_size());
    return ack;  // a stale retry: nothing to do
  }

  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  ASSIGN_OR_RETURN(
      sql::Statement reject,
      writer_.Prepare("INSERT OR REPLACE INTO rejections VALUES (?,?,?,?,?)"));
  ASSIGN_OR_RETURN(
      sql::Statement depart,
      writer_.Prepare("INSERT OR REPLACE INTO departures VALUES (?, ?, ?, 0)"));
  const int64_t now = std::time(nullptr);
  auto add_rejection = [&](const v1::Change& c, const std::string& field,
                           const std::string& reason) {
    v1::Rejection* r = ack.add_rejections();
    r->set_seq(c.seq());
    r->set_teacher_number(c.teacher_number());
    r->set_field(field);
    r->set_reason(reason);
    return reject.BindAll(c.seq(), c.teacher_number(), field, reason, now)
        .Run();
  };

  std::vector<std::string>
      settled;  // numbers whose identity conflict may be over

  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    const PreparedChange& p = prepared.changes[i];
    if (c.seq() <= static_cast<uint64_t>(cursor)) {
      ack.set_skipped(ack.skipped() + 1);
      continue;
    }
    if (!p.rejected_field.empty()) {
      RETURN_IF_ERROR(add_rejection(c, p.rejected_field, p.rejected_reason));
      continue;
    }
    if (i < static_cast<int>(prepared.registered.size()) &&
        prepared.registered[i]) {
      const RegisteredIdentity* existing = &*prepared.registered[i];
      RETURN_IF_ERROR(add_rejection(
          c, "id_card_number",
          absl::StrCat(
              "identity conflict: this person is registered as teacher ",
              existing->teacher_number, " (province ", existing->province,
              "); one person, one number: use that number")));
      continue;
    }
    settled.push_back(c.teacher_number());
    // Ownership is read under the write lock, so a hand-over (SetOwner, then
    // TakeIn on this file) never misses a record held here.
    const std::string owner = owners_.Owner(c.teacher_number());
    if (c.has_record()) {
      if (owner != province_) {
        RETURN_IF_ERROR(writes.Hold(c.teacher_number(), c.seq(), p.bytes));
        ack.set_held(ack.held() + 1);
        continue;
      }
      RETURN_IF_ERROR(writes.Upsert(c.teacher_number(), c.seq(), p.bytes,
                                    p.cell, p.outlook, p.hash, p.id_key));
    } else if (c.moved_to() != v1::PROVINCE_UNSPECIFIED) {
      if (owner != province_) {
        RETURN_IF_ERROR(add_rejection(
            c, "moved_to",
            absl::StrCat("province ", province_, " cannot release teacher ",
                         c.teacher_number(), ": it belongs to province ",
                         owner)));
        continue;
      }
      RETURN_IF_ERROR(writes.Remove(c.teacher_number()));
      RETURN_IF_ERROR(depart
                          .BindAll(c.teacher_number(),
                                   absl::StrCat(static_cast<int>(c.moved_to())),
                                   c.seq())
                          .Run());
    } else {
      RETURN_IF_ERROR(writes.Remove(c.teacher_number()));
    }
    ack.set_applied(ack.applied() + 1);
  }
  RETURN_IF_ERROR(writes.Flush());
  ASSIGN_OR_RETURN(
      sql::Statement state,
      writer_.Prepare(
          "UPDATE sync_state SET applied_seq = ?1, "
          "last_sync_unix = ?2, last_success_unix = ?2, last_result = 'ok' "
          "WHERE id = 1"));
  RETURN_IF_ERROR(state.BindAll(last, now).Run());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Apply(writes.CellChanges());
  outlook_cube_.Apply(writes.OutlookChanges());
  if (identities_.HasConflicts()) {
    for (const std::string& number : settled)
      RETURN_IF_ERROR(identities_.Resolved(number));
  }
  ack.set_applied_seq(last);
  return ack;
}

}  // namespace ntmis::national
