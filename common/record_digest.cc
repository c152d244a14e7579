#include "common/record_digest.h"

#include "common/crypto.h"

namespace ntmis {

std::string BucketEnd(absl::string_view bucket) {
  std::string end(bucket);
  end.push_back('\x7f');  // after every digit
  return end;
}

uint64_t RecordHash(absl::string_view teacher_number, absl::string_view record_bytes) {
  std::string input;
  input.reserve(teacher_number.size() + 1 + record_bytes.size());
  input.append(teacher_number.data(), teacher_number.size());
  input.push_back('\0');
  input.append(record_bytes.data(), record_bytes.size());
  const std::string digest = crypto::Sha256(input);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | static_cast<unsigned char>(digest[i]);
  return h;
}

uint64_t RecordHash(const v1::TeacherRecord& record) {
  return RecordHash(record.teacher_number(), record.SerializeAsString());
}

}  // namespace ntmis
