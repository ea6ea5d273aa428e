// Build identity, generated at configure time (controller/version.cc.in).
#pragma once

namespace lk {
extern const char* const kVersion;
extern const char* const kGitHash;
}  // namespace lk
