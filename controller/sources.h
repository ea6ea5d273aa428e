// Sources: what tells the controller which lab to look at. They carry no details of what
// happened (level-triggered): each only names a lab, or says "look at the directory again".
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "controller/docker_client.h"
#include "controller/env.h"
#include "controller/event_sources.h"
#include "controller/netns.h"

namespace lk {

// Watches a directory tree with inotify (every non-hidden subdirectory, following symlinked
// directories) and calls on_change once things have been quiet for `debounce`, so an editor's
// rename-on-save or a ConfigMap's `..data` symlink swap is one call.
class DirWatcher {
 public:
  DirWatcher(std::string dir, std::chrono::milliseconds debounce, std::function<void()> on_change);
  ~DirWatcher();
  Status Start();
  void Stop();

 private:
  void Loop();
  void WatchTree();
  std::string dir_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  Fd inotify_, wake_;
  std::map<int, std::string> watches_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// Follows the engine's event stream for the containers of containerlab labs (start, die, destroy,
// ...): labkeeper's own carry containerlab's labels too, and an adopted lab's are containerlab's;
// names their lab (one the controller does not know is ignored there); reconnects, with a pause, when the stream breaks
// (engine restarts).
class DockerEvents {
 public:
  // Its time (how long a stream held, the pause before reconnecting) is `env`'s.
  DockerEvents(std::shared_ptr<DockerClient> docker, Env& env, std::function<void(const std::string& lab)> on_lab,
               std::function<void(const std::string&)> log);
  ~DockerEvents();
  void Start();
  void Stop();

 private:
  void Loop();
  std::shared_ptr<DockerClient> docker_;
  Env& env_;
  std::function<void(const std::string&)> on_lab_, log_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// Listens for netlink link events (RTMGRP_LINK) inside the network namespaces of owned
// containers, and names the lab whose namespace changed.
class LinkEvents {
 public:
  explicit LinkEvents(std::function<void(const std::string& lab)> on_lab);
  ~LinkEvents();
  Status Start();
  void Stop();
  // The namespaces to watch (link, address and qdisc events): container id -> pid. Replaces the
  // previous set for `lab`. True when every one of them is watched.
  bool Watch(const std::string& lab, const std::map<std::string, int>& pid_by_container);

 private:
  struct Sub {
    std::string lab;
    int pid;
    Fd sock;
  };
  void Loop();
  std::function<void(const std::string&)> on_lab_;
  std::mutex mu_;
  std::map<std::string, Sub> subs_;  // by container id
  Fd wake_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// The real sources together: the directory (inotify), the engine's events and the
// namespaces' link events.
// The directory's debounce is the kernel's poll timeout, real time; the rest is `env`'s.
std::unique_ptr<EventSources> MakeHostSources(std::string dir, std::chrono::milliseconds debounce,
                                              std::shared_ptr<DockerClient> docker, Env& env,
                                              std::function<void(const std::string&)> log);

}  // namespace lk
