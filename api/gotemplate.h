// The part of Go's text/template that containerlab topology files use: `{{ .field }}`, `$`,
// variables (`$x := ...`), `if`/`else`/`end`, `range $i := ...`/`end`, whitespace trimming
// (`{{-`, `-}}`), comments, and the functions seq, printf, add, sub, mul, div, len, eq, ne, lt,
// le, gt, ge, not, and, or. Anything else is an error naming the construct and its line.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/result.h"

namespace lk {

struct RenderedTemplate {
  std::string text;
  // lines[k]: the template line that rendered line k+1 comes from (its first character's), so
  // errors found in the rendered text can point into the file the user wrote.
  std::vector<int> lines;
};

// Limits of one rendering: a template that would exceed them is an error naming the limit and
// the line, never a loop that does not end or output that grows without bound.
inline constexpr size_t kTemplateMaxOutput = 16u << 20;    // bytes of rendered text
inline constexpr size_t kTemplateMaxIterations = 1000000;  // range bodies and seq items, in all
inline constexpr size_t kTemplateMaxDepth = 64;            // nested if/range

// Renders `text` with `vars` as the root (dot and $). Errors read "line N: message".
Result<RenderedTemplate> RenderGoTemplate(const std::string& text, const nlohmann::json& vars);

}  // namespace lk
