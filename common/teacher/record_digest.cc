#include "common/teacher/record_digest.h"

#include "common/crypto/crypto.h"

namespace ntmis {

std::string BucketEnd(absl::string_view bucket) {
  std::string end(bucket);
  end.push_back('\x7f');  // after every digit
  return end;
}

uint64_t RecordHash(absl::string_view teacher_number,
                    absl::string_view record_bytes) {
  thread_local crypto::Sha256Hasher hasher;
  hasher.Reset();
  hasher.Update(teacher_number);
  hasher.Update(absl::string_view("\0", 1));
  hasher.Update(record_bytes);
  unsigned char digest[32];
  hasher.Final(digest);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | digest[i];
  return h;
}

uint64_t RecordHash(const v1::TeacherRecord& record) {
  return RecordHash(record.teacher_number(), record.SerializeAsString());
}

}  // namespace ntmis
