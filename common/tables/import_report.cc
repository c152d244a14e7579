#include "common/tables/import_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/exit_code.h"
#include "common/tables/csv.h"

namespace ntmis {

std::string ImportProblemsCsv(const std::vector<v1::ImportProblem>& problems) {
  std::string csv = "\xEF\xBB\xBF";
  AppendCsvLine(&csv, {"行", "列", "列名", "值", "规则"});
  for (const v1::ImportProblem& p : problems) {
    AppendCsvLine(&csv, {absl::StrCat(p.row()), p.column(), p.column_label(),
                         p.value(), p.rule()});
  }
  return csv;
}

void PrintImportProblems(std::ostream& out,
                         const std::vector<v1::ImportProblem>& problems,
                         uint64_t total, size_t shown) {
  size_t printed = 0;
  for (const v1::ImportProblem& p : problems) {
    if (printed++ == shown) break;
    out << "  第 " << p.row() << " 行";
    if (!p.column().empty()) {
      out << " " << p.column();
      if (!p.column_label().empty()) out << "（" << p.column_label() << "）";
    }
    if (!p.value().empty()) out << " '" << p.value() << "'";
    out << "：" << p.rule() << "\n";
  }
  if (total > shown) {
    out << "  …… 另有 " << total - std::min<uint64_t>(total, shown)
        << " 个问题；用 --report FILE 得到全部\n";
  }
}

absl::Status ImportOutcome(uint64_t problems, uint64_t applied, bool dry_run) {
  if (problems == 0) return absl::OkStatus();
  if (applied > 0) {
    return WithExitCode(
        absl::InvalidArgumentError(
            absl::StrCat(problems, " problems: ", applied,
                         dry_run ? " rows would be applied" : " rows applied",
                         ", the rows with problems were not; fix them and "
                         "import those rows again")),
        ExitCode::kImportPartial);
  }
  return WithExitCode(
      absl::InvalidArgumentError(absl::StrCat(
          problems, " problems: nothing ", dry_run ? "would be " : "",
          "applied; fix the file and import it again")),
      ExitCode::kImportRefused);
}

}  // namespace ntmis
