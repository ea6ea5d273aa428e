// The controller's loop in-process, with every seam faked (runtime, links, host, sources): no
// engine, no kernel, no disk (the lab files are the fake host's). Waits are for the loop's
// worker threads, with generous bounds; the fake clock moves only when told. Shared by the
// loop's test files (each in its own unnamed namespace; a file's own suite derives from it).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "controller/controller.h"
#include "tests/fakes/fake_env.h"
#include "tests/fakes/fake_links.h"
#include "tests/fakes/fake_runtime.h"
#include "tests/fakes/fake_sources.h"

namespace lk::test {
namespace {

const char kLab[] = R"(
name: x
topology:
  defaults: {kind: linux, image: img:1}
  nodes:
    a: {}
    b: {}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
)";

bool Eventually(const std::function<bool()>& ok, std::chrono::seconds bound = std::chrono::seconds(30)) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < until) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok();
}

class ControllerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rt_.AddImage("img:1");
    ASSERT_TRUE(env_.MakeDirectories(labs()).ok());
  }
  void TearDown() override {
    if (c_) c_->Stop();
  }
  // The lab directory and the state directory are the fake host's: nothing touches the disk.
  std::string labs() const { return "/fake/labs"; }
  std::string state() const { return "/fake/state"; }
  void WriteLab(const std::string& file, const std::string& text) { env_.AddFile(labs() + "/" + file, text); }
  void Start(bool adopt = false) {
    ControllerOptions o;
    o.adopt = adopt;
    o.dir = labs();
    o.state_dir = state();
    o.resync = std::chrono::hours(1);
    o.owner = "tester";
    if (tune_) tune_(&o);
    c_ = std::make_unique<Controller>(rt_, links_, env_, &sources_, o, [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_ += line + "\n";
    });
    Status s = c_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::string Log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }
  std::string Condition(const std::string& lab, const std::string& type) {
    auto j = c_->LabJson(lab);
    if (!j) return "";
    for (const auto& c : (*j)["status"]["conditions"])
      if (c["type"] == type) return c["status"].get<std::string>() + "/" + c["reason"].get<std::string>();
    return "";
  }
  std::string Ns(const std::string& container) {
    auto c = rt_.Get(container);
    return c.ok() && *c ? "pid " + std::to_string((*c)->pid) : "none";
  }
  // Ready, after the pass that confirms the one that made changes (due 500 ms later on the fake
  // clock, which this moves on while it waits).
  bool Converged(const std::string& lab = "x") {
    return Eventually([&] {
      env_.Advance(std::chrono::milliseconds(100));
      return Condition(lab, "Ready") == "True/InSync";
    });
  }
  bool Linked() {
    return links_.Find(Ns("clab-x-a"), "eth1").has_value() && links_.Find(Ns("clab-x-b"), "eth1").has_value();
  }

  FakeRuntime rt_;
  FakeLinks links_;
  FakeEnv env_;
  FakeSources sources_;
  std::function<void(ControllerOptions*)> tune_;  // options a test sets before Start
  std::unique_ptr<Controller> c_;
  std::mutex log_mu_;
  std::string log_;
};

}  // namespace
}  // namespace lk::test
