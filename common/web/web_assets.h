// A console's files, compiled into the binary (cmake/NtmisHelpers.cmake,
// ntmis_web_assets) so a console works on a machine without internet and
// serves nothing from the file system.
#ifndef NTMIS_COMMON_WEB_WEB_ASSETS_H_
#define NTMIS_COMMON_WEB_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace ntmis::web {

struct WebAsset {
  const char* data;
  size_t size;
  const char* content_type;
};

// The file served at a path ("/index.html", "/assets/kit/api.js"), or null.
using WebAssetFinder = const WebAsset* (*)(absl::string_view path);

// The kit both consoles share (common/web/assets/kit/), under /assets/kit/;
// a console server serves it after the console's own files.
const WebAsset* ConsoleKitAsset(absl::string_view path);

}  // namespace ntmis::web

#endif  // NTMIS_COMMON_WEB_WEB_ASSETS_H_
