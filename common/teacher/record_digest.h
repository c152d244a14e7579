// Anti-entropy digests (docs/architecture.md, the sync protocol), computed
// identically by a province over its effective records and by the national node
// over what it holds: teachers fall into buckets by the first 8 characters of
// their number, a record hashes to 64 bits, and a bucket's digest is its count
// and the XOR of its records' hashes (so one change updates it in O(1)).
#ifndef NTMIS_COMMON_TEACHER_RECORD_DIGEST_H_
#define NTMIS_COMMON_TEACHER_RECORD_DIGEST_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "ntmis/v1/teacher.pb.h"

namespace ntmis {

inline constexpr size_t kDigestBucketChars = 8;

inline absl::string_view DigestBucket(absl::string_view teacher_number) {
  return teacher_number.substr(0, kDigestBucketChars);
}

// The first bucket after `bucket` in teacher-number order would start at
// this key (for range scans: bucket <= number < BucketEnd(bucket)).
std::string BucketEnd(absl::string_view bucket);

// First 8 bytes of SHA-256(number, 0x00, record bytes), big-endian.
uint64_t RecordHash(absl::string_view teacher_number,
                    absl::string_view record_bytes);
// The hash of a record as the national node stores it (its serialization).
uint64_t RecordHash(const v1::TeacherRecord& record);

struct BucketSum {
  uint64_t teachers = 0;
  uint64_t hash = 0;
  void Add(uint64_t record_hash) {
    ++teachers;
    hash ^= record_hash;
  }
  bool operator==(const BucketSum& o) const {
    return teachers == o.teachers && hash == o.hash;
  }
  bool operator!=(const BucketSum& o) const { return !(*this == o); }
};

using DigestMap = std::map<std::string, BucketSum>;

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_RECORD_DIGEST_H_
