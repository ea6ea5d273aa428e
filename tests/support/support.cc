#include "tests/support/support.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace lk::test {

std::string Sh(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

ScopedNetns::ScopedNetns(std::string name) : name_(std::move(name)) {
  Sh("ip netns del " + name_);
  int st = 0;
  std::string out = Sh("ip netns add " + name_, &st);
  if (st != 0) throw std::runtime_error("ip netns add " + name_ + ": " + out);
  auto ns = NetNs::Path("/run/netns/" + name_);
  if (!ns) throw std::runtime_error(ns.error());
  ns_ = std::make_unique<NetNs>(std::move(*ns));
}

ScopedNetns::~ScopedNetns() {
  ns_.reset();
  Sh("ip netns del " + name_);
}

static std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string SharedDir() { return Env("LABKEEPER_SHARED", "../shared"); }
std::string LabkeeperBin() { return Env("LABKEEPER_BIN", "labkeeper"); }
std::string SourceDir() { return Env("LABKEEPER_SOURCE_DIR", "."); }

bool EngineAnswers() {
  DockerClient docker;
  return docker.Version().ok();
}

}  // namespace lk::test
