#include "common/teacher/code_tables.h"

#include <algorithm>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/crypto.h"

namespace ntmis {
namespace {

// "Gender" -> "gender", "SchoolCategory" -> "school_category".
std::string SnakeCase(absl::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (absl::ascii_isupper(c)) {
      if (!out.empty()) out.push_back('_');
      out.push_back(absl::ascii_tolower(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

CodeTable::CodeTable(const google::protobuf::EnumDescriptor* descriptor)
    : name_(SnakeCase(descriptor->name())) {
  int max_value = 0;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto* value = descriptor->value(i);
    if (value->number() == 0) continue;  // *_UNSPECIFIED
    values_.push_back(value->number());
    std::string label = value->options().GetExtension(v1::label);
    labels_[value->number()] = label;
    if (!label.empty()) by_label_[label] = value->number();
    const std::string& code = value->options().GetExtension(v1::code);
    int numeric = 0;
    if (!code.empty() && absl::SimpleAtoi(code, &numeric)) {
      codes_[value->number()] = code;
      by_code_[numeric] = value->number();
    }
    max_value = std::max(max_value, value->number());
  }
  width_ = static_cast<int>(absl::StrCat(max_value).size());
  // A table with official codes lists its values in their order.
  if (!codes_.empty()) {
    std::sort(values_.begin(), values_.end(),
              [this](int a, int b) { return Code(a) < Code(b); });
  }
}

const CodeTable& CodeTable::For(
    const google::protobuf::EnumDescriptor* descriptor) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* tables =
      new absl::flat_hash_map<const google::protobuf::EnumDescriptor*,
                              std::unique_ptr<CodeTable>>();
  absl::MutexLock lock(&mu);
  auto& slot = (*tables)[descriptor];
  if (!slot) slot.reset(new CodeTable(descriptor));
  return *slot;
}

absl::StatusOr<int> CodeTable::Parse(absl::string_view text) const {
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  int value = 0;
  if (!trimmed.empty() && absl::ascii_isdigit(trimmed[0]) &&
      absl::SimpleAtoi(trimmed, &value)) {
    if (codes_.empty() && Contains(value)) return value;
    // A table with official two-digit codes (InServiceStatus) takes no bare
    // digit: older files wrote 1 for the earlier 在岗, which is not 01 退休.
    if (!codes_.empty() && trimmed.size() < codes_.begin()->second.size())
      return absl::InvalidArgumentError(
          absl::StrCat("「", trimmed, "」位数不够，有歧义：请填写 ",
                       codes_.begin()->second.size(),
                       " 位代码（JY/T 1001）或名称；可选：", AllowedValues()));
    auto official = by_code_.find(value);
    if (official != by_code_.end()) return official->second;
  }
  auto it = by_label_.find(trimmed);
  if (it != by_label_.end()) return it->second;
  return absl::InvalidArgumentError(
      absl::StrCat("不是有效的代码或名称；可选：", AllowedValues()));
}

bool CodeTable::Contains(int value) const { return labels_.contains(value); }

std::string CodeTable::Code(int value) const {
  auto official = codes_.find(value);
  if (official != codes_.end()) return official->second;
  std::string digits = absl::StrCat(value);
  return digits.size() >= static_cast<size_t>(width_)
             ? digits
             : std::string(width_ - digits.size(), '0') + digits;
}

std::string CodeTable::Label(int value) const {
  auto it = labels_.find(value);
  return it == labels_.end() ? std::string() : it->second;
}

std::string CodeTable::AllowedValues() const {
  std::vector<int> ordered = values_;  // by official code where there is one
  if (!codes_.empty())
    std::sort(ordered.begin(), ordered.end(),
              [this](int a, int b) { return Code(a) < Code(b); });
  return absl::StrJoin(ordered, ", ", [this](std::string* out, int v) {
    absl::StrAppend(out, Code(v), " ", Label(v));
  });
}

bool IsProvinceCode(int code) {
  return CodeTable::Of<v1::Province>().Contains(code);
}

std::vector<const CodeTable*> AllCodeTables() {
  const google::protobuf::FileDescriptor* file =
      v1::Gender_descriptor()->file();
  std::vector<const CodeTable*> tables;
  for (int i = 0; i < file->enum_type_count(); ++i)
    tables.push_back(&CodeTable::For(file->enum_type(i)));
  return tables;
}

std::string CodeTablesFingerprint() {
  std::string text;
  for (const CodeTable* t : AllCodeTables()) {
    for (int v : t->values())
      absl::StrAppend(&text, t->name(), "\t", v, "\t", t->Code(v), "\t",
                      t->Label(v), "\n");
  }
  return crypto::HexEncode(crypto::Sha256(text).substr(0, 8));
}

}  // namespace ntmis
