#include "national/query/report_format.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/rpc/proto_json.h"
#include "common/tables/csv.h"
#include "common/tables/text_table.h"
#include "common/teacher/code_tables.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace ntmis::national {
namespace {

using Table = std::vector<std::vector<std::string>>;

// `right` marks numeric columns.
std::string Render(const Table& table, const std::vector<bool>& right,
                   Format format) {
  return RenderTable(table, right, format == Format::kCsv);
}

std::string Json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

double Share(uint64_t n, uint64_t total) {
  return total == 0 ? 0.0 : 100.0 * n / total;
}

// {"group_by": [...], "age_reference_date": ..., "total": N, "rows": [{DIM:
// code, DIM_name: label, ..., "teachers": n, "share": fraction}, ...]},
// keys always in this order (docs/operators.md, "The national node").
std::string AggregateJson(const v1::AggregateResponse& response) {
  std::string out = "{\"group_by\": [";
  for (int i = 0; i < response.group_by_size(); ++i) {
    if (i > 0) out += ", ";
    AppendJsonString(response.group_by(i), &out);
  }
  out += "], \"age_reference_date\": ";
  AppendJsonString(response.age_reference_date(), &out);
  absl::StrAppend(&out, ", \"total\": ", response.total(), ", \"rows\": [");
  bool first = true;
  for (const AnswerRow& row : AnswerRows(response)) {
    out += first ? "\n  {" : ",\n  {";
    first = false;
    for (size_t i = 0; i < row.codes.size() &&
                       i < static_cast<size_t>(response.group_by_size());
         ++i) {
      const std::string& dim = response.group_by(static_cast<int>(i));
      AppendJsonString(dim, &out);
      out += ": ";
      AppendJsonString(row.codes[i], &out);
      out += ", ";
      AppendJsonString(absl::StrCat(dim, "_name"), &out);
      out += ": ";
      AppendJsonString(row.labels[i], &out);
      out += ", ";
    }
    absl::StrAppend(
        &out, "\"teachers\": ", row.teachers, ", \"share\": ",
        absl::StrFormat("%.4f", Share(row.teachers, response.total()) / 100),
        "}");
  }
  out += first ? "]}\n" : "\n]}\n";
  return out;
}

}  // namespace

absl::StatusOr<Format> ParseFormat(const std::string& name) {
  if (name == "table" || name.empty()) return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format '", name, "'; allowed: table, csv, json"));
}

std::vector<AnswerRow> AnswerRows(const v1::AggregateResponse& response) {
  std::vector<AnswerRow> rows(static_cast<size_t>(response.teachers_size()));
  for (size_t r = 0; r < rows.size(); ++r)
    rows[r].teachers = response.teachers(static_cast<int>(r));
  for (const v1::AggregateColumn& column : response.columns()) {
    for (size_t r = 0; r < rows.size(); ++r) {
      const bool present = static_cast<int>(r) < column.rows_size() &&
                           static_cast<int>(column.rows(static_cast<int>(r))) <
                               column.codes_size();
      const int v =
          present ? static_cast<int>(column.rows(static_cast<int>(r))) : 0;
      rows[r].codes.push_back(present ? column.codes(v) : "?");
      rows[r].labels.push_back(
          present && v < column.labels_size() ? column.labels(v) : "");
    }
  }
  return rows;
}

std::string FormatAggregate(const v1::AggregateResponse& response,
                            Format format) {
  if (format == Format::kJson) return AggregateJson(response);
  Table table;
  std::vector<bool> right;
  std::vector<std::string> header;
  for (const auto& dim : response.group_by()) {
    header.push_back(dim);
    right.push_back(false);
    header.push_back(absl::StrCat(dim, "_name"));
    right.push_back(false);
  }
  header.push_back("teachers");
  header.push_back("share");
  right.push_back(true);
  right.push_back(true);
  table.push_back(header);
  auto share = [&](uint64_t n) {
    return response.total() == 0
               ? std::string("-")
               : absl::StrFormat("%.2f%%", Share(n, response.total()));
  };
  for (const AnswerRow& row : AnswerRows(response)) {
    std::vector<std::string> line;
    for (size_t i = 0; i < row.codes.size(); ++i) {
      line.push_back(row.codes[i]);
      line.push_back(row.labels[i]);
    }
    line.push_back(absl::StrCat(row.teachers));
    line.push_back(share(row.teachers));
    table.push_back(std::move(line));
  }
  std::vector<std::string> total(header.size(), "");
  total[0] = "total";
  total[header.size() - 2] = absl::StrCat(response.total());
  total[header.size() - 1] = share(response.total());
  table.push_back(std::move(total));
  return Render(table, right, format);
}

std::string FormatLookup(const v1::LookupResponse& response, Format format) {
  if (format == Format::kJson) return Json(response);
  Table table = {{"province", "field", "value"}};
  const std::vector<bool> right = {false, false, false};
  for (const v1::LookupMatch& m : response.matches()) {
    const google::protobuf::Reflection* reflection = m.record().GetReflection();
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    reflection->ListFields(m.record(), &fields);
    for (const auto* field : fields) {
      std::string value;
      if (field->name() == "id_hash") {
        continue;  // a keyed hash: meaningless to read, and not to be copied
                   // around
      } else if (field->type() ==
                 google::protobuf::FieldDescriptor::TYPE_ENUM) {
        const int number = reflection->GetEnumValue(m.record(), field);
        const CodeTable& codes = CodeTable::For(field->enum_type());
        value = absl::StrCat(codes.Code(number), " ", codes.Label(number));
      } else {
        value = reflection->GetString(m.record(), field);
      }
      table.push_back({m.province(), field->name(), value});
    }
  }
  return Render(table, right, format);
}

std::string FormatProvinces(const v1::ProvincesResponse& response,
                            Format format, int64_t now_unix) {
  if (format == Format::kJson) return Json(response);
  Table table = {{"province", "name", "records", "cursor", "behind", "held",
                  "rejected", "last_sync", "last_ok", "due", "digests",
                  "catalog", "schools", "audit", "certificate", "last_result"}};
  std::vector<bool> right = {false, false, true,  true,  true,  true,
                             true,  true,  true,  false, false, false,
                             false, false, false, false};
  auto ago = [now_unix](int64_t when) -> std::string {
    if (when == 0) return "never";
    int64_t s = std::max<int64_t>(0, now_unix - when);
    if (s < 120) return absl::StrCat(s, "s ago");
    if (s < 7200) return absl::StrCat(s / 60, "m ago");
    if (s < 172800) return absl::StrCat(s / 3600, "h ago");
    return absl::StrCat(s / 86400, "d ago");
  };
  std::vector<std::string> overdue;
  std::vector<std::string> audit_problems;
  std::vector<std::string> revoked;
  for (const auto& p : response.provinces()) {
    std::string certificate = "ok";
    if (!p.revoked_serial().empty()) {
      certificate =
          absl::StrCat("REVOKED (refused ", ago(p.revoked_refused_unix()), ")");
      revoked.push_back(absl::StrCat(
          p.province(), ": certificate serial ", p.revoked_serial(),
          " revoked on ",
          absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                           absl::FromUnixSeconds(p.revoked_unix()),
                           absl::UTCTimeZone()),
          "; ", p.revoked_refused_calls(), " calls refused, the latest ",
          ago(p.revoked_refused_unix())));
    }
    std::string audit =
        p.audit_entries() == 0 ? "-" : absl::StrCat(p.audit_entries());
    if (!p.audit_problem().empty()) {
      audit = absl::StrCat("BROKEN (", ago(p.audit_problem_unix()), ")");
      audit_problems.push_back(
          absl::StrCat(p.province(), ": ", p.audit_problem()));
    }
    std::string digests =
        p.verified_unix() == 0
            ? "not verified"
            : absl::StrCat(p.verify_differing() == 0
                               ? std::string("agree")
                               : absl::StrCat(p.verify_differing(), " differ"),
                           " (", ago(p.verified_unix()), ")");
    std::string catalog = p.catalog_version() == 0 ? "-"
                          : p.catalog_version() < response.catalog_version()
                              ? absl::StrCat(p.catalog_version(), " (lags)")
                              : absl::StrCat(p.catalog_version());
    std::string schools =
        p.school_registry_version() < response.school_registry_version()
            ? absl::StrCat("v", p.school_registry_version(), " (lags)")
            : absl::StrCat("v", p.school_registry_version());
    if (p.overdue()) overdue.push_back(p.province());
    table.push_back({p.province(), p.label(), absl::StrCat(p.records_held()),
                     absl::StrCat(p.applied_seq()), absl::StrCat(p.behind()),
                     absl::StrCat(p.held()), absl::StrCat(p.rejected()),
                     ago(p.last_sync_unix()), ago(p.last_success_unix()),
                     p.overdue() ? "OVERDUE" : "ok", digests, catalog, schools,
                     audit, certificate, p.last_result()});
  }
  std::string out = Render(table, right, format);
  if (format == Format::kTable) {
    absl::StrAppend(
        &out, "\n", overdue.size(), " of ", response.provinces_size(),
        " provinces without a successful sync in the last ",
        response.overdue_after_seconds(), " s", overdue.empty() ? "" : ": ",
        absl::StrJoin(overdue, " "), "\n");
    for (const std::string& problem : audit_problems)
      absl::StrAppend(&out, "audit ", problem, "\n");
    for (const std::string& line : revoked)
      absl::StrAppend(&out, "revoked ", line, "\n");
  }
  return out;
}

}  // namespace ntmis::national
