// The web console's files (provincial/web/assets/), compiled into the
// binary so the console works on a machine without internet and serves
// nothing from the file system.
#ifndef NTMIS_PROVINCIAL_WEB_WEB_ASSETS_H_
#define NTMIS_PROVINCIAL_WEB_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace ntmis::provincial {

struct WebAsset {
  const char* data;
  size_t size;
  const char* content_type;
};

// The file served at `path` ("/index.html", "/assets/app.js"), or null.
const WebAsset* FindWebAsset(absl::string_view path);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_WEB_WEB_ASSETS_H_
