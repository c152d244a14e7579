// Strict JSON at the web edge (docs/operators.md, "The web console"): a
// request body is accepted only when it is RFC 8259 JSON, and its media
// type only when it is exactly application/json. protobuf's JSON parser
// (3.21) also takes trailing commas, single quotes and repeated keys; two
// readers that read one body differently is how request smuggling starts,
// so the console checks every body here first and refuses what is not JSON.
//
// Thread-safe: pure functions.
#ifndef NTMIS_COMMON_RPC_STRICT_JSON_H_
#define NTMIS_COMMON_RPC_STRICT_JSON_H_

#include <string_view>

#include "absl/status/status.h"

namespace ntmis {

// OK when `text` is one JSON value under RFC 8259 (UTF-8, no byte-order
// mark) in which no object repeats a key, nested at most `max_depth` deep.
// INVALID_ARGUMENT otherwise, in Chinese, naming the byte offset and the
// rule broken (e.g. the repeated key).
absl::Status CheckStrictJson(std::string_view text, int max_depth = 64);

// True when a Content-Type header names JSON exactly: "application/json",
// optionally with "; charset=utf-8" (case and spaces as RFC 9110 allows).
bool IsJsonContentType(std::string_view header);

}  // namespace ntmis

#endif  // NTMIS_COMMON_RPC_STRICT_JSON_H_
