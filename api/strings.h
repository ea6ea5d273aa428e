// Small string helpers shared by the codec, the CLI and the controller.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/result.h"

namespace lk {

// Splits a command line as a POSIX shell splits words (quotes and backslashes), the way
// containerlab turns `cmd` and `exec` strings into argv. No expansion is done.
Result<std::vector<std::string>> ShellSplit(std::string_view line);

// Expands environment variables as containerlab does on a topology file's text: $VAR, ${VAR},
// ${VAR:-d}, ${VAR-d}, ${VAR:=d}, ${VAR=d}, ${VAR:+x}, ${VAR+x}; `$$` is a literal `$`.
std::string ExpandEnv(std::string_view text, const std::map<std::string, std::string>* overrides = nullptr);

// ExpandEnv with a bound on the output: when the text would grow past max_bytes (a short file
// whose references name a long value many times), it fails with a message naming the limit and
// sets *at to the offset in `text` of the reference that crossed it.
Result<std::string> ExpandEnvWithin(std::string_view text, const std::map<std::string, std::string>* overrides,
                                    size_t max_bytes, size_t* at);

// 64-bit FNV-1a, stable across builds and machines (used for spec hashes and generated MACs).
uint64_t Fnv1a64(std::string_view data);
// Fnv1a64 of the parts' concatenation, without making it.
uint64_t Fnv1a64(std::initializer_list<std::string_view> parts);
std::string Hex64(uint64_t v);  // 16 lower-case hex digits

bool StartsWith(std::string_view s, std::string_view prefix);
// "1 node", "3 nodes": a count with its noun (plural by an s).
std::string Counted(size_t n, const std::string& noun);
// ASCII case mapping (names, policies, slots: never locale-dependent).
std::string Lower(std::string s);
std::string Upper(std::string s);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string Trim(std::string_view s);

}  // namespace lk
