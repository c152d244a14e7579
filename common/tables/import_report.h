// How an import's outcome reaches the person who ran it, the same for every
// import command (`ntmis-provincial import ...`, `ntmis-national registry
// import`): the problems on the terminal, all of them in a report file that
// Excel opens as it is, and an exit code a script can tell apart.
#ifndef NTMIS_COMMON_TABLES_IMPORT_REPORT_H_
#define NTMIS_COMMON_TABLES_IMPORT_REPORT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ntmis/v1/provincial.pb.h"

namespace ntmis {

// The problems as CSV with a UTF-8 byte-order mark (so Excel reads the
// Chinese): 行,列,列名,值,规则.
// An import answers with at most the first 10,000 problems (their total is
// counted); when `total` is more, a last line says how many are not listed.
std::string ImportProblemsCsv(const std::vector<v1::ImportProblem>& problems,
                              uint64_t total = 0);

// At most `shown` problems, one per line, then how many more there are.
void PrintImportProblems(std::ostream& out,
                         const std::vector<v1::ImportProblem>& problems,
                         uint64_t total, size_t shown = 20);

// OK when there was no problem; otherwise an error carrying the exit code
// (docs/operators.md, "Import exit codes"): ExitCode::kImportPartial when
// `applied` rows (for a dry run: rows that would be applied) went in beside
// refused ones, ExitCode::kImportRefused when nothing did.
absl::Status ImportOutcome(uint64_t problems, uint64_t applied, bool dry_run);

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_IMPORT_REPORT_H_
