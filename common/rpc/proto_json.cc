#include "common/rpc/proto_json.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ntmis {
namespace {

namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

template <typename Float>
void AppendFloating(Float value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out->append(buffer, error == std::errc() ? end : buffer);
  }
}

void AppendEnum(const pb::EnumDescriptor* type, int number, std::string* out) {
  if (const pb::EnumValueDescriptor* value = type->FindValueByNumber(number)) {
    AppendJsonString(value->name(), out);
  } else {
    absl::StrAppend(out, number);  // a number this build does not know
  }
}

// One value of `field`: element `index` of a repeated field, or the field.
void AppendValue(const pb::Message& message, const Field* field, int index,
                 std::string* out) {
  const pb::Reflection* r = message.GetReflection();
  const bool repeated = index >= 0;
  switch (field->cpp_type()) {
    case Field::CPPTYPE_INT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedInt32(message, field, index)
                                    : r->GetInt32(message, field));
      break;
    case Field::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated
                               ? r->GetRepeatedUInt32(message, field, index)
                               : r->GetUInt32(message, field));
      break;
    case Field::CPPTYPE_INT64:  // proto3 JSON quotes 64-bit integers
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedInt64(message, field, index)
                               : r->GetInt64(message, field),
                      "\"");
      break;
    case Field::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedUInt64(message, field, index)
                               : r->GetUInt64(message, field),
                      "\"");
      break;
    case Field::CPPTYPE_DOUBLE:
      AppendFloating(repeated ? r->GetRepeatedDouble(message, field, index)
                              : r->GetDouble(message, field),
                     out);
      break;
    case Field::CPPTYPE_FLOAT:
      AppendFloating(repeated ? r->GetRepeatedFloat(message, field, index)
                              : r->GetFloat(message, field),
                     out);
      break;
    case Field::CPPTYPE_BOOL:
      out->append((repeated ? r->GetRepeatedBool(message, field, index)
                            : r->GetBool(message, field))
                      ? "true"
                      : "false");
      break;
    case Field::CPPTYPE_ENUM:
      AppendEnum(field->enum_type(),
                 repeated ? r->GetRepeatedEnumValue(message, field, index)
                          : r->GetEnumValue(message, field),
                 out);
      break;
    case Field::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text =
          repeated
              ? r->GetRepeatedStringReference(message, field, index, &scratch)
              : r->GetStringReference(message, field, &scratch);
      if (field->type() == Field::TYPE_BYTES) {
        absl::StrAppend(out, "\"", absl::Base64Escape(text), "\"");
      } else {
        AppendJsonString(text, out);
      }
      break;
    }
    case Field::CPPTYPE_MESSAGE:
      AppendProtoJson(repeated ? r->GetRepeatedMessage(message, field, index)
                               : r->GetMessage(message, field),
                      out);
      break;
  }
}

// A map entry's key, always a JSON string.
void AppendMapKey(const pb::Message& entry, const Field* key,
                  std::string* out) {
  if (key->cpp_type() == Field::CPPTYPE_STRING) {
    AppendValue(entry, key, -1, out);
    return;
  }
  std::string text;
  AppendValue(entry, key, -1, &text);
  if (text.front() != '"') text = absl::StrCat("\"", text, "\"");
  out->append(text);
}

// Whether proto3 JSON with always_print_primitive_fields writes `field`:
// every field without presence (scalars, repeated, maps) always; a message,
// oneof member or `optional` scalar only when set.
bool Printed(const pb::Message& message, const Field* field) {
  if (field->is_repeated()) return true;
  if (field->has_presence())
    return message.GetReflection()->HasField(message, field);
  return true;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '<':
      case '>':
      case '&':
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out->append(text[i + 2] == '\xA8'
                      ? "\\u2028"
                      : "\\u2029");  // line breaks to JavaScript
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void AppendProtoJson(const pb::Message& message, std::string* out) {
  const pb::Descriptor* type = message.GetDescriptor();
  const pb::Reflection* r = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int f = 0; f < type->field_count(); ++f) {
    const Field* field = type->field(f);
    if (!Printed(message, field)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(field->name(), out);
    out->push_back(':');
    if (field->is_map()) {
      const Field* key = field->message_type()->map_key();
      const Field* value = field->message_type()->map_value();
      out->push_back('{');
      const int size = r->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        const pb::Message& entry = r->GetRepeatedMessage(message, field, i);
        if (i > 0) out->push_back(',');
        AppendMapKey(entry, key, out);
        out->push_back(':');
        AppendValue(entry, value, -1, out);
      }
      out->push_back('}');
    } else if (field->is_repeated()) {
      out->push_back('[');
      const int size = r->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        if (i > 0) out->push_back(',');
        AppendValue(message, field, i, out);
      }
      out->push_back(']');
    } else {
      AppendValue(message, field, -1, out);
    }
  }
  out->push_back('}');
}

std::string ProtoJson(const pb::Message& message) {
  std::string out;
  AppendProtoJson(message, &out);
  return out;
}

}  // namespace ntmis
