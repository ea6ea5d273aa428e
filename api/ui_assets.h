// The live topology page's files (ui/), embedded in the binary at build time
// (cmake/ui_assets.cmake): served by the controller's listener under /ui/, never read from disk.
#pragma once

#include <string_view>
#include <vector>

namespace lk {

struct UiAsset {
  const char* path;          // below ui/, such as "index.html" or "vendor/cytoscape.min.js"
  const char* content_type;  // by the file's extension
  std::string_view bytes;
};

// Every file of ui/, sorted by path.
const std::vector<UiAsset>& UiAssets();

}  // namespace lk
