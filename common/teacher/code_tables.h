// The national code tables (proto/ntmis/v1/codes.proto) as lookup objects:
// parse a code or an official label, print a code or a label, list what is
// allowed. Used by validation, the generator and aggregation alike.
//
// Thread-safe: tables are built once and immutable.
#ifndef NTMIS_COMMON_TEACHER_CODE_TABLES_H_
#define NTMIS_COMMON_TEACHER_CODE_TABLES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "ntmis/v1/codes.pb.h"

namespace ntmis {

class CodeTable {
 public:
  static const CodeTable& For(
      const google::protobuf::EnumDescriptor* descriptor);
  template <typename Enum>
  static const CodeTable& Of() {
    static const CodeTable& table =
        For(google::protobuf::GetEnumDescriptor<Enum>());
    return table;
  }

  // Accepts the code (leading zeros allowed) or the official label. The
  // code is the enum number, or the value's (code) option where the table
  // has them (InServiceStatus: JY/T 1001's codes).
  // INVALID_ARGUMENT lists the allowed values.
  absl::StatusOr<int> Parse(absl::string_view text) const;

  bool Contains(int value) const;
  std::string Code(int value) const;   // zero-padded to the table's width
  std::string Label(int value) const;  // "" for an unknown value
  const std::vector<int>& values() const { return values_; }
  // "1 男, 2 女"
  std::string AllowedValues() const;
  // "gender", "school_category", ...
  const std::string& name() const { return name_; }

 private:
  explicit CodeTable(const google::protobuf::EnumDescriptor* descriptor);

  std::string name_;
  int width_ = 1;
  std::vector<int> values_;
  absl::flat_hash_map<int, std::string> labels_;
  absl::flat_hash_map<std::string, int> by_label_;
  absl::flat_hash_map<int, std::string>
      codes_;                              // official codes, where they differ
  absl::flat_hash_map<int, int> by_code_;  // official code's number -> value
};

// True for the 32 node codes (GB/T 2260 provinces and 66 for the Corps).
bool IsProvinceCode(int code);

// Every code table of codes.proto, in declaration order.
std::vector<const CodeTable*> AllCodeTables();

// 16 hex digits over every table's name, codes and labels: two builds with
// the same fingerprint validate the same codes.
std::string CodeTablesFingerprint();

}  // namespace ntmis

#endif  // NTMIS_COMMON_TEACHER_CODE_TABLES_H_
