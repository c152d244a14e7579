#include "common/tables/import_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/exit_code.h"
#include "common/tables/csv.h"

namespace ntmis {

std::string ImportProblemsCsv(const std::vector<v1::ImportProblem>& problems,
                              uint64_t total) {
  std::string csv = "\xEF\xBB\xBF";
  AppendCsvLine(&csv, {"行", "列", "列名", "值", "规则"});
  for (const v1::ImportProblem& p : problems) {
    AppendCsvLine(&csv, {absl::StrCat(p.row()), p.column(), p.column_label(),
                         p.value(), p.rule()});
  }
  if (total > problems.size())
    AppendCsvLine(&csv, {"", "", "", "",
                         absl::StrCat("另有 ", total - problems.size(),
                                      " 个问题未列出：一次导入最多列出前 ",
                                      problems.size(),
                                      " 个；请改正以上各行后再导入一次，其余问"
                                      "题会接着列出")});
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
    return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                            "发现 ", problems, " 个问题：",
                            dry_run ? "正式导入将导入 " : "已导入 ", applied,
                            " 行，有问题的行未导入；请改正后只导入这些行")),
                        ExitCode::kImportPartial);
  }
  return WithExitCode(
      absl::InvalidArgumentError(absl::StrCat(
          "发现 ", problems, " 个问题：", dry_run ? "正式导入将" : "",
          "没有导入任何一行；请改正文件后重新导入")),
      ExitCode::kImportRefused);
}

}  // namespace ntmis
