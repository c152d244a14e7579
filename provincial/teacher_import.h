// Import of the teacher template: each valid row becomes an effective
// teacher with a freshly minted national teacher number, and enters the sync
// outbox in the same transaction ("one person, one number": an ID-card
// number already registered in the province, or twice in the file, is
// refused, naming the existing teacher or the earlier row).
#ifndef NTMIS_PROVINCIAL_TEACHER_IMPORT_H_
#define NTMIS_PROVINCIAL_TEACHER_IMPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/crypto.h"
#include "provincial/csv_import.h"
#include "provincial/teacher_template.h"

namespace ntmis::provincial {

class TeacherRowHandler final : public RowHandler {
 public:
  static absl::StatusOr<std::unique_ptr<TeacherRowHandler>> Create(Store& store,
                                                                   const IdKeys& keys);

  const std::vector<std::string>& columns() const override;
  bool Prepare(const std::vector<std::string>& fields, const ColumnIndex& index,
               RowProblems& problems) override;
  std::unique_ptr<PreparedRows> TakePrepared() override;
  absl::StatusOr<uint64_t> Write(Store& store, PreparedRows& rows,
                                 std::vector<v1::ImportProblem>* problems) override;
  absl::Status BeginBatch(Store& store) override;
  absl::Status EndBatch(Store& store) override;

 private:
  struct Row {
    uint64_t row;
    std::string id_hash;
    std::string id_sealed;
    std::string id_masked;
    std::string school_code;
    std::string record_rest;  // the record serialized without teacher_number
  };
  struct Rows;

  TeacherRowHandler(const IdKeys& keys, std::unique_ptr<crypto::Sealer> sealer)
      : id_hasher_(keys.hash_key), sealer_(std::move(sealer)) {}

  // Parsing stage.
  crypto::Hmac id_hasher_;
  std::unique_ptr<crypto::Sealer> sealer_;
  int province_ = 0;
  absl::flat_hash_map<std::string, SchoolPlace> schools_;
  absl::flat_hash_map<std::string, uint64_t> rows_by_id_hash_;  // this file
  std::vector<Row> prepared_;
  ParsedTeacher parsed_;  // reused across rows

  // Writer stage.
  int64_t next_sequence_ = 0;
  std::optional<sql::Statement> insert_;
  std::optional<sql::Statement> find_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_TEACHER_IMPORT_H_
