// Every code a clerk reads on a screen, with the label the core gives it
// (the same functions the core's messages and exports use), so a console
// shows them without a copy of its own: teacher states, review steps,
// roles, unit levels, career kinds and the fields the node's problems name.
// Served to the console's pages as GET /console/labels
// (provincial/web/web_server.h).
#ifndef NTMIS_PROVINCIAL_CORE_LABELS_H_
#define NTMIS_PROVINCIAL_CORE_LABELS_H_

#include <string>
#include <utility>
#include <vector>

namespace ntmis::provincial {

struct LabelTable {
  std::string kind;  // "states", "steps", "roles", "levels", "case_kinds",
                     // "fields"
  // (code as the API sends it, label), in the order a list shows them.
  std::vector<std::pair<std::string, std::string>> entries;
};

std::vector<LabelTable> ClerkLabels();

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_LABELS_H_
