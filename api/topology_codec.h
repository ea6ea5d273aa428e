// Reading containerlab topology files into LabSpec.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/file_reader.h"
#include "api/topology.h"

namespace lk {

struct LoadResult {
  std::optional<LabSpec> lab;
  std::vector<Diagnostic> errors;  // every problem found, in file order; empty when lab is set
  bool ok() const { return lab.has_value(); }
  std::string ErrorText() const;  // one "file:line:column: message" per line
};

// Limits of what one lab file may hold; a file beyond one is invalid, with an error naming it.
inline constexpr size_t kMaxDocuments = 1000;           // documents in a Lab resource file
inline constexpr size_t kMaxFileBytes = 8u << 20;       // bytes of a lab file (and of its rendering)
inline constexpr size_t kMaxExpandedBytes = 16u << 20;  // its text after ${VAR} expansion
inline constexpr size_t kMaxFileValues = 1000000;       // YAML values in one file, aliases counted each use
inline constexpr int kMaxFileDepth = 64;                // nesting of YAML collections in a lab file
inline constexpr size_t kMaxNodes = 20000;              // nodes of one lab
inline constexpr size_t kMaxLinks = 50000;              // links of one lab

// Every lab a file defines: one for a containerlab topology file, one per document for a Lab
// resource file (*.lab.yml). Labs are given only when the whole file is valid.
struct FileLoad {
  std::vector<LabSpec> labs;
  std::vector<Diagnostic> errors;
  std::vector<std::string> names;  // lab names the file declares, found even when it is invalid
  // Every other file whose content the labs depend on (absolute paths): a templated file's vars
  // file candidates and every env-file, whether it exists or not. A change to any of them
  // (created, edited, removed) can change the labs, so the controller watches and hashes them.
  std::vector<std::string> inputs;
  bool ok() const { return errors.empty(); }
  std::string ErrorText() const;
};
FileLoad LoadFile(const std::string& path);
// `other_files` reads what the text refers to (a template's vars file, env-files); null: the disk.
FileLoad LoadFileText(const std::string& text, const std::string& path,
                      const std::map<std::string, std::string>* env = nullptr, FileReader* other_files = nullptr);

// True for *.lab.yml / *.lab.yaml.
bool IsLabResourceFileName(const std::string& path);

// Reads, expands (environment variables), parses, resolves and validates one topology file.
LoadResult LoadTopologyFile(const std::string& path);

// The same from text; `path` names the file in messages and anchors relative binds.
// `env` overrides the process environment for expansion (tests).
LoadResult LoadTopologyText(const std::string& text, const std::string& path,
                            const std::map<std::string, std::string>* env = nullptr);

// True for *.clab.yml / *.clab.yaml.
bool IsTopologyFileName(const std::string& path);

// Linux interface name rules (IFNAMSIZ and dev_valid_name); returns why a name is invalid.
std::optional<std::string> InvalidIfaceName(const std::string& name);

}  // namespace lk
