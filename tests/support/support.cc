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

std::string SharedDir() {
  return Env("LABKEEPER_SHARED", LK_DEFAULT_SHARED);
}
std::string LabkeeperBin() {
  return Env("LABKEEPER_BIN", LK_DEFAULT_BIN);
}
std::string SourceDir() {
  return Env("LABKEEPER_SOURCE_DIR", LK_DEFAULT_SOURCE_DIR);
}

bool EngineAnswers() {
  DockerClient docker;
  return docker.Version().ok();
}

}  // namespace lk::test

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lk::test {

CmdResult Labkeeper(const std::string& args) {
  CmdResult r;
  r.out = Sh(LabkeeperBin() + " " + args, &r.status);
  return r;
}

std::map<std::string, std::string> LabContainers(const std::string& lab) {
  std::map<std::string, std::string> out;
  std::istringstream in(
      Sh("docker ps -a --no-trunc --filter label=containerlab=" + lab + " --format '{{.Names}} {{.ID}}'"));
  std::string name, id;
  while (in >> name >> id) out[name] = id;
  return out;
}

LabGuard::~LabGuard() {
  Labkeeper("destroy --lab " + lab_);
  Sh("docker ps -aq --filter label=containerlab=" + lab_ +
     " --filter label=labkeeper.dev/managed-by=labkeeper | xargs -r docker rm -f");
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/lktest-XXXXXX";
  char* p = mkdtemp(tmpl);
  if (!p) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string file = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path());
  std::ofstream(file) << content;
  return file;
}

bool WaitFor(const std::function<bool()>& fn, int timeout_s, int step_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    if (fn()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
}

}  // namespace lk::test

#include "api/strings.h"

namespace lk::test {
std::string Trim(const std::string& s) {
  return lk::Trim(s);
}
}  // namespace lk::test
