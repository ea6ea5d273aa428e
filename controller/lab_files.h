// The watched directory's lab files: finding them, hashing each with the files it is built
// from, and loading the ones that changed, all through the Env. Nothing here holds state; the
// controller keeps it. (The codec itself reads a template's vars file and env-files.)
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/topology_codec.h"
#include "controller/env.h"

namespace lk {

// What was found under the watched directory: the lab files' content, and the paths named like
// lab files that cannot be read as one (with why), which are invalid files like any other.
struct FoundFiles {
  std::map<std::string, std::string> content;
  std::map<std::string, std::string> unreadable;
};

// Every lab file under dir: hidden directories skipped, symlinks followed; no FIFO or device is
// ever opened.
FoundFiles FindLabFiles(Env& env, const std::string& dir);

// Hash of a lab file and of every file its labs are built from (absent ones count as absent).
std::string InputsHash(Env& env, const std::string& content, const std::vector<std::string>& inputs);

using Loaded = std::map<std::string, std::pair<std::string, FileLoad>>;  // path -> (hash, load)

// The files that changed since `known_hash` (each with the inputs it was built from last time),
// loaded. An unreadable file loads as one error, its reason. `files.content` holds the
// unreadable ones too (their reason as content).
Loaded LoadChanged(Env& env, const FoundFiles& files, std::map<std::string, std::vector<std::string>> known_inputs,
                   std::map<std::string, std::string> known_hash);

}  // namespace lk
