// The part of Go's text/template that containerlab topology files use: `{{ .field }}`, `$`,
// variables (`$x := ...`), `if`/`else`/`end`, `range $i := ...`/`end`, whitespace trimming
// (`{{-`, `-}}`), comments, and the functions seq, printf, add, sub, mul, div, len, eq, ne, lt,
// le, gt, ge, not, and, or. Anything else is an error naming the construct and its line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/result.h"

namespace lk {

// Renders `text` with `vars` as the root (dot and $). Errors read "line N: message".
Result<std::string> RenderGoTemplate(const std::string& text, const nlohmann::json& vars);

}  // namespace lk
