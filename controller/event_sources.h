// The seam of what tells the controller to look (level-triggered: a source only says "look at
// the directory again" or names a lab, never what happened). The real sources (inotify, the
// engine's event stream, netlink link events) are in sources.h; tests use
// tests/fakes/fake_sources.h and fire by hand.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "api/result.h"

namespace lk {

class EventSources {
 public:
  virtual ~EventSources() = default;
  using OnDir = std::function<void()>;
  using OnLab = std::function<void(const std::string& lab)>;
  // Starts every source: `on_dir` when the watched directory may have changed, `on_lab` when a
  // lab's containers or links may have.
  virtual Status Start(OnDir on_dir, OnLab on_lab) = 0;
  // Stops them; no call is made after it returns.
  virtual void Stop() = 0;
  // The namespaces whose link, address and qdisc events name `lab` (container id -> pid); replaces the
  // lab's set. True when every one of them is watched.
  virtual bool Watch(const std::string& lab, const std::map<std::string, int>& pid_by_container) = 0;
};

}  // namespace lk
