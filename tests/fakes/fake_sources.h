// In-memory event sources: the test fires "the directory changed" and "look at lab L" by hand,
// and sees which namespaces the controller asked to watch.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "controller/event_sources.h"

namespace lk::test {

class FakeSources : public EventSources {
 public:
  Status Start(OnDir on_dir, OnLab on_lab) override {
    std::lock_guard lock(mu_);
    if (!fail_start_.empty()) return Status::Fail(fail_start_);
    on_dir_ = std::move(on_dir);
    on_lab_ = std::move(on_lab);
    running_ = true;
    return Status::Ok();
  }
  void Stop() override {
    std::lock_guard lock(mu_);
    running_ = false;
  }
  bool Watch(const std::string& lab, const std::map<std::string, int>& pid_by_container) override {
    std::lock_guard lock(mu_);
    watched_[lab] = pid_by_container;
    return !fail_watch_;
  }
  // Watch says a namespace could not be watched (the lab's resyncs are then never quiet).
  void FailWatch(bool fail) {
    std::lock_guard lock(mu_);
    fail_watch_ = fail;
  }

  // What a test does: fire a source (nothing happens once stopped), or make Start fail.
  void FireDir() {
    OnDir fn;
    {
      std::lock_guard lock(mu_);
      if (running_) fn = on_dir_;
    }
    if (fn) fn();
  }
  void FireLab(const std::string& lab) {
    OnLab fn;
    {
      std::lock_guard lock(mu_);
      if (running_) fn = on_lab_;
    }
    if (fn) fn(lab);
  }
  // A link changed in the namespace of `pid`: the labs watching it are named, as the real link
  // event source does.
  void FireNamespace(int pid) {
    std::vector<std::string> labs;
    OnLab fn;
    {
      std::lock_guard lock(mu_);
      if (!running_) return;
      fn = on_lab_;
      for (const auto& [lab, pids] : watched_)
        for (const auto& [id, p] : pids)
          if (p == pid) labs.push_back(lab);
    }
    for (const auto& lab : labs) fn(lab);
  }
  void FailStart(const std::string& message) {
    std::lock_guard lock(mu_);
    fail_start_ = message;
  }
  bool running() const {
    std::lock_guard lock(mu_);
    return running_;
  }
  std::map<std::string, int> Watched(const std::string& lab) const {
    std::lock_guard lock(mu_);
    auto it = watched_.find(lab);
    return it == watched_.end() ? std::map<std::string, int>{} : it->second;
  }

 private:
  mutable std::mutex mu_;
  OnDir on_dir_;
  OnLab on_lab_;
  bool running_ = false;
  std::string fail_start_;
  bool fail_watch_ = false;
  std::map<std::string, std::map<std::string, int>> watched_;
};

}  // namespace lk::test
