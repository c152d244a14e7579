// Proto messages written as proto3 JSON, fast: the console's answers
// (common/web/connect.h) are written here instead of through
// protobuf's own JsonPrinter, which builds a tree of every field and costs
// more than the call it reports (docs/benchmarks.md, "The web console's JSON
// API against gRPC").
//
// The output is what protobuf's MessageToJsonString writes with
// always_print_primitive_fields and preserve_proto_field_names (the same
// keys and values; only the spelling of floating-point numbers and of
// escapes may differ), for the messages this project defines: scalars,
// enums, bytes, repeated fields, maps and nested messages. The well-known
// types (Timestamp, Struct, Any…) are not used by the API and are written as
// ordinary messages. tests/common/proto_json_test.cc compares the two on random
// messages of every API response.
//
// Thread-safe: pure functions.
#ifndef NTMIS_COMMON_RPC_PROTO_JSON_H_
#define NTMIS_COMMON_RPC_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

namespace ntmis {

// Appends `message` as one JSON object to `out`.
void AppendProtoJson(const google::protobuf::Message& message,
                     std::string* out);

// `message` as one JSON object.
std::string ProtoJson(const google::protobuf::Message& message);

// `text` as a JSON string literal (quotes included). Besides what JSON
// requires, `<`, `>`, `&`, U+2028 and U+2029 are escaped so that the text
// stays inert wherever a page puts it.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace ntmis

#endif  // NTMIS_COMMON_RPC_PROTO_JSON_H_
