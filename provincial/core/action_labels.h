// What the audit trail and a record's history say was done, as a clerk
// reads it. Depends on nothing of the core, so every module that shows an
// action (teacher_queries, entries, the adapter's audit pages) may use it.
#ifndef NTMIS_PROVINCIAL_CORE_ACTION_LABELS_H_
#define NTMIS_PROVINCIAL_CORE_ACTION_LABELS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ntmis::provincial {

// What an audit entry or a version of a record says was done, as a clerk
// reads it: "teacher.create" → 新建教师, "career.transfer #12" → 调动（案件
// 12）, "import.contact" → 导入（contact）, "change.addition" → 变更：增补.
// An action this build does not know comes back as it is (the audit test
// finds any such).
std::string ActionLabel(absl::string_view action);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_ACTION_LABELS_H_
