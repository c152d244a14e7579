// Import of the teacher template: each valid row becomes an effective
// teacher with a freshly minted national teacher number, and enters the sync
// outbox in the same transaction ("one person, one number": an ID-card
// number already registered in the province is refused, naming the number).
#ifndef NTMIS_PROVINCIAL_TEACHER_IMPORT_H_
#define NTMIS_PROVINCIAL_TEACHER_IMPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "provincial/csv_import.h"
#include "provincial/teacher_template.h"

namespace ntmis::provincial {

class TeacherRowHandler final : public RowHandler {
 public:
  static absl::StatusOr<std::unique_ptr<TeacherRowHandler>> Create(Store& store,
                                                                   IdKeys keys);

  const std::vector<std::string>& columns() const override;
  bool Stage(const std::vector<std::string>& fields, const ColumnIndex& index,
             RowProblems& problems) override;
  absl::Status Flush(Store& store) override;
  void Discard() override { staged_.clear(); }

 private:
  struct Staged {
    v1::TeacherRecord record;
    std::string id_sealed;
  };
  TeacherRowHandler(const IdKeys& keys, std::unique_ptr<crypto::Sealer> sealer)
      : id_hasher_(keys.hash_key), sealer_(std::move(sealer)) {}

  crypto::Hmac id_hasher_;
  std::unique_ptr<crypto::Sealer> sealer_;
  int province_ = 0;
  absl::flat_hash_map<std::string, SchoolPlace> schools_;
  absl::flat_hash_map<std::string, uint64_t> seen_in_file_;  // id_hash -> row
  std::optional<sql::Statement> find_by_hash_;
  std::vector<Staged> staged_;
  ParsedTeacher parsed_;  // reused across rows
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_TEACHER_IMPORT_H_
