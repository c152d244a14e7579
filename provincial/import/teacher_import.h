// Import of the teacher template: each valid row becomes an effective
// teacher and enters the sync outbox in the same transaction. "One person,
// one number": a person the national registry knows keeps their national
// teacher number; anyone else gets a freshly minted one; an ID-card number
// already registered in the province, or twice in the file, is refused,
// naming the existing teacher or the earlier row.
#ifndef NTMIS_PROVINCIAL_IMPORT_TEACHER_IMPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_TEACHER_IMPORT_H_

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/crypto/crypto.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teachers.h"
#include "provincial/core/user.h"
#include "provincial/import/csv_import.h"

namespace ntmis::provincial {

// One row of the teacher template, parsed.
struct ParsedTeacher {
  v1::TeacherRecord record;  // teacher_number not yet minted
  std::string id_card;       // normalised (upper-case X); never logged
};

// Parses and checks one row. On failure adds one problem per bad field and
// returns false. `province` is the node's code; `id_hasher` keys id_hash.
bool ParseTeacherRow(
    const std::vector<std::string>& fields, const ColumnIndex& index,
    int province, const absl::flat_hash_map<std::string, SchoolPlace>& schools,
    crypto::Hmac& id_hasher, ParsedTeacher* out, RowProblems& problems);

// Thread-compatible: one import (one thread) at a time.
class TeacherRowHandler final : public RowHandler {
 public:
  // An import by `actor`, one of the province-level staff
  // (CheckProvinceStaff); PERMISSION_DENIED otherwise. `resolver` (may be
  // null: every teacher is then provisional) asks the national registry
  // about each chunk of rows before it is written.
  static absl::StatusOr<std::unique_ptr<TeacherRowHandler>> Create(
      Store& store, const User& actor, const IdKeys& keys,
      IdentityResolver* resolver);

  const std::vector<TableColumn>& columns() const override;
  bool Prepare(const std::vector<std::string>& fields, const ColumnIndex& index,
               RowProblems& problems) override;
  std::unique_ptr<PreparedRows> TakePrepared() override;
  // Batches are written school by school (TakePrepared).
  bool HandsOverBatches() const override { return true; }
  absl::StatusOr<uint64_t> Write(
      Store& store, PreparedRows& rows,
      std::vector<v1::ImportProblem>* problems) override;
  absl::Status BeginBatch(Store& store) override;
  absl::Status EndBatch(Store& store) override;
  void Describe(v1::ImportReport* report) const override;

 private:
  struct Row {
    uint64_t row;
    std::string id_hash;
    std::string id_sealed;
    std::string id_masked;
    std::string school_code;
    std::string record_rest;  // the record serialized without teacher_number
    std::optional<KnownIdentity> known;  // the person's national number, if any
    bool provisional = false;            // the registry could not answer
    std::string name;
  };
  struct Rows;

  TeacherRowHandler(const IdKeys& keys, std::unique_ptr<crypto::Sealer> sealer,
                    IdentityResolver* resolver)
      : id_hasher_(keys.hash_key),
        sealer_(std::move(sealer)),
        resolver_(resolver) {}

  // Parsing stage.
  crypto::Hmac id_hasher_;
  std::unique_ptr<crypto::Sealer> sealer_;
  int province_ = 0;
  absl::flat_hash_map<std::string, SchoolPlace> schools_;
  // The rows of this file by the person's ID hash (HMAC-SHA256: 32 bytes,
  // uniformly spread, so its first 8 bytes are the table's hash); held
  // inline, as a file of 2,000,000 teachers has as many.
  using IdHashBytes = std::array<char, 32>;
  struct IdHashOfBytes {
    size_t operator()(const IdHashBytes& h) const {
      uint64_t x;
      std::memcpy(&x, h.data(), sizeof x);
      return x;
    }
  };
  absl::flat_hash_map<IdHashBytes, uint64_t, IdHashOfBytes> rows_by_id_hash_;
  std::vector<Row> prepared_;
  ParsedTeacher parsed_;  // reused across rows
  IdentityResolver* resolver_;

  // Writer stage.
  std::optional<TeacherCreator> creator_;  // during a batch
  uint64_t provisional_ = 0;
  std::vector<v1::ReusedNumber> reused_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_TEACHER_IMPORT_H_
