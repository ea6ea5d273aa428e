// The Go-template renderer, with vars shaped like a containerlab vars file.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/gotemplate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::json vars = nlohmann::json::parse(
      R"({"spines": {"num": 2, "prefix": "spine", "type": "ixrd3"}, "leaves": {"num": 4, "prefix": "leaf"},
          "list": [1, "two", 3.5, null, true], "big": 1e30})");
  auto r = lk::RenderGoTemplate(std::string(reinterpret_cast<const char*>(data), size), vars);
  if (r && r->text.size() > lk::kTemplateMaxOutput + (1u << 20)) __builtin_trap();  // the limit held
  return 0;
}
