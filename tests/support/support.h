// Helpers for tests that use the real engine and kernel. Everything a test makes is named
// or labelled lktest-*/labkeeper.dev/test and removed when the helper goes out of scope.
#pragma once

#include <memory>
#include <string>

#include "controller/docker_client.h"
#include "controller/netns.h"

namespace lk::test {

// Runs a shell command, returns stdout+stderr. Test set-up only.
std::string Sh(const std::string& cmd, int* status = nullptr);

// A named network namespace (ip netns add), deleted on destruction.
class ScopedNetns {
 public:
  explicit ScopedNetns(std::string name);
  ~ScopedNetns();
  const NetNs& ns() const { return *ns_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<NetNs> ns_;
};

// Path of the shared examples (LABKEEPER_SHARED, else ../shared beside the repo).
std::string SharedDir();
// Path of the built labkeeper binary (LABKEEPER_BIN).
std::string LabkeeperBin();
// Source dir of the repo (LABKEEPER_SOURCE_DIR).
std::string SourceDir();

// True when a Docker engine answers; tests that need one fail (not skip) without it,
// because CI always starts one.
bool EngineAnswers();

}  // namespace lk::test
