// The controller's state directory (--state-dir): status.json and suspended.json, written whole
// or not at all, and whether the last writes succeeded. A full or read-only directory never stops
// reconciling; it is logged once when it starts and once when it ends, and shown in the status
// the API serves and in /metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "api/result.h"
#include "controller/env.h"

namespace lk {

// Writes `text` to `path` through `path`.tmp (written, synced, renamed over `path`); on failure
// `path` is untouched, the temporary file is removed and the error names the file and errno's text.
Status WriteFileAtomically(const std::string& path, const std::string& text);

class StateDir {
 public:
  using LogSink = std::function<void(const std::string&)>;
  // Writes go through `env` when given (WriteFileAtomically otherwise).
  StateDir(std::string path, LogSink log, Env* env = nullptr)
      : path_(std::move(path)), log_(std::move(log)), env_(env) {}

  const std::string& path() const { return path_; }
  // Writes FILE (a name inside the directory) and records the outcome.
  Status Write(const std::string& file, const std::string& text);

  struct Health {
    std::string error;      // why the last write failed; "" when it succeeded
    uint64_t failures = 0;  // writes that failed since start
  };
  Health health() const;

 private:
  std::string path_;
  LogSink log_;
  Env* env_;
  mutable std::mutex mu_;  // guards the two below; one write at a time
  std::string error_;
  uint64_t failures_ = 0;
};

}  // namespace lk
