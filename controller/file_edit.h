// The host's side of Env::EditFile, Delete and DeleteTree (see env.h), for posix_env.cc.
#pragma once

#include <string>

#include "controller/env.h"

namespace lk {

Status EditFileLocked(const std::string& path, const std::string& lock_path, const Env::Edit& edit);
Status DeleteFile(const std::string& path);
Status DeleteTree(const std::string& path);

}  // namespace lk
