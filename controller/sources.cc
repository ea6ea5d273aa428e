#include "controller/sources.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace lk {
namespace {

void Wake(const Fd& fd) {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd.get(), &one, sizeof one);
}

void Drain(int fd) {
  char buf[8192];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

// Reads every queued inotify event; true when one of them is a change in the tree. IN_IGNORED
// (a watch gone with its directory) is no change of a file: it only drops the watch. Counting it
// as one made every rescan's own re-watching a reason for the next rescan, one per debounce.
bool DrainChanges(int fd, std::map<int, std::string>* watches) {
  alignas(inotify_event) char buf[8192];
  bool changed = false;
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if (e->mask & IN_IGNORED)
        watches->erase(e->wd);
      else
        changed = true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return changed;
}

}  // namespace

// --- DirWatcher -------------------------------------------------------------------------------

DirWatcher::DirWatcher(std::string dir, std::chrono::milliseconds debounce, std::function<void()> on_change)
    : dir_(std::move(dir)), debounce_(debounce), on_change_(std::move(on_change)) {}

DirWatcher::~DirWatcher() {
  Stop();
}

Status DirWatcher::Start() {
  inotify_ = Fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  wake_ = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!inotify_.valid() || !wake_.valid()) return Status::Fail(std::string("inotify: ") + std::strerror(errno));
  WatchTree();
  if (watches_.empty()) return Status::Fail("cannot watch " + dir_ + ": " + std::strerror(errno));
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void DirWatcher::Stop() {
  if (stop_.exchange(true)) return;
  if (wake_.valid()) Wake(wake_);
  if (thread_.joinable()) thread_.join();
}

void DirWatcher::WatchTree() {
  // Watches are added, never dropped here: adding a directory already watched gives its watch
  // again, and the kernel drops the watch of a directory that goes (IN_IGNORED, DrainChanges).
  const uint32_t mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
                        IN_DELETE_SELF | IN_MOVE_SELF;
  auto add = [&](const std::string& path) {
    int wd = inotify_add_watch(inotify_.get(), path.c_str(), mask);
    if (wd >= 0) watches_[wd] = path;
  };
  add(dir_);
  std::error_code ec;
  fs::recursive_directory_iterator it(
      dir_, fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (it->path().filename().string().rfind('.', 0) == 0) {
      it.disable_recursion_pending();  // hidden: .git, and a ConfigMap's ..data (seen through its symlinks)
      continue;
    }
    add(it->path().string());
  }
}

void DirWatcher::Loop() {
  using SteadyClock = std::chrono::steady_clock;
  // Quiet for `debounce` after the last event, or at most max_delay after the first one.
  bool pending = false;
  SteadyClock::time_point first{}, last{};
  const auto max_delay = std::max(debounce_ * 4, std::chrono::milliseconds(2000));
  while (!stop_) {
    int timeout = -1;
    if (pending) {
      auto now = SteadyClock::now();
      auto due = std::min(last + debounce_, first + max_delay);
      timeout =
          static_cast<int>(std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(due - now).count()));
    }
    pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, timeout);
    if (stop_) break;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      if (!DrainChanges(inotify_.get(), &watches_)) continue;
      auto now = SteadyClock::now();
      if (!pending) first = now;
      pending = true;
      last = now;
      continue;
    }
    if (n == 0 && pending) {
      pending = false;
      WatchTree();  // directories may have come or gone
      on_change_();
    }
  }
}

// --- DockerEvents -----------------------------------------------------------------------------

DockerEvents::DockerEvents(std::shared_ptr<DockerClient> docker, Env& env,
                           std::function<void(const std::string&)> on_lab, std::function<void(const std::string&)> log)
    : docker_(std::move(docker)), env_(env), on_lab_(std::move(on_lab)), log_(std::move(log)) {}

DockerEvents::~DockerEvents() {
  Stop();
}

void DockerEvents::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void DockerEvents::Stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
}

void DockerEvents::Loop() {
  nlohmann::json filters = {
      {"type", {"container"}},
      {"label", {"containerlab"}},
      {"event", {"start", "die", "destroy", "stop", "kill", "pause", "unpause", "oom", "rename"}}};
  std::string path = "/events?filters=" + UrlEncode(filters.dump());
  bool broken = false;
  while (!stop_) {
    if (broken) on_lab_("*");  // the engine may have restarted: look at every lab again
    auto began = env_.Now();
    Status s = docker_->Stream(
        path,
        [&](const std::string& line) {
          auto j = nlohmann::json::parse(line, nullptr, false);
          if (j.is_discarded()) return;
          auto attrs = j.value("Actor", nlohmann::json::object()).value("Attributes", nlohmann::json::object());
          if (attrs.contains("containerlab") && attrs["containerlab"].is_string()) on_lab_(attrs["containerlab"]);
        },
        stop_);
    if (stop_) break;
    // Said once per outage: a stream that held for a while had reconnected, so this is a new one.
    if (env_.Now() - began > std::chrono::seconds(5)) broken = false;
    if (!broken) log_("docker events: " + s.message() + "; reconnecting");
    broken = true;
    for (int i = 0; i < 10 && !stop_; ++i) env_.Sleep(std::chrono::milliseconds(100));
  }
}

// --- LinkEvents -------------------------------------------------------------------------------

LinkEvents::LinkEvents(std::function<void(const std::string&)> on_lab) : on_lab_(std::move(on_lab)) {}

LinkEvents::~LinkEvents() {
  Stop();
}

Status LinkEvents::Start() {
  wake_ = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_.valid()) return Status::Fail(std::string("eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void LinkEvents::Stop() {
  if (stop_.exchange(true)) return;
  if (wake_.valid()) Wake(wake_);
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  subs_.clear();
}

bool LinkEvents::Watch(const std::string& lab, const std::map<std::string, int>& pid_by_container) {
  std::lock_guard lock(mu_);
  bool all = true;
  // A socket holds its namespace alive: close the ones of containers that are gone or
  // restarted (new pid), so their namespaces, and the veth ends in them, can go.
  for (auto it = subs_.begin(); it != subs_.end();) {
    auto want = pid_by_container.find(it->first);
    bool keep = it->second.lab != lab || (want != pid_by_container.end() && want->second == it->second.pid);
    it = keep ? std::next(it) : subs_.erase(it);
  }
  for (const auto& [id, pid] : pid_by_container) {
    if (subs_.count(id)) continue;
    auto ns = NetNs::OfPid(pid);
    if (!ns) {
      all = false;
      continue;
    }
    Fd sock;
    RunInNetns(*ns, [&] {
      sock = Fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
      if (!sock.valid()) return;
      sockaddr_nl addr{};
      addr.nl_family = AF_NETLINK;
      addr.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_TC;  // TC: impairments
      if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) sock = Fd();
    });
    if (sock.valid())
      subs_[id] = Sub{lab, pid, std::move(sock)};
    else
      all = false;
  }
  if (wake_.valid()) Wake(wake_);
  return all;
}

void LinkEvents::Loop() {
  while (!stop_) {
    std::vector<pollfd> fds = {{wake_.get(), POLLIN, 0}};
    std::vector<std::string> labs = {""};
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, sub] : subs_) {
        fds.push_back({sub.sock.get(), POLLIN, 0});
        labs.push_back(sub.lab);
      }
    }
    int n = ::poll(fds.data(), fds.size(), 1000);
    if (stop_) break;
    if (n <= 0) continue;
    if (fds[0].revents) Drain(wake_.get());
    std::set<std::string> changed;
    {
      std::lock_guard lock(mu_);  // sockets are only closed under this lock
      std::set<int> open;
      for (const auto& [id, sub] : subs_) open.insert(sub.sock.get());
      // POLLERR: the socket overflowed (ENOBUFS) and events were lost: that is a change too.
      for (size_t i = 1; i < fds.size(); ++i)
        if ((fds[i].revents & (POLLIN | POLLERR)) && open.count(fds[i].fd)) {
          Drain(fds[i].fd);
          changed.insert(labs[i]);
        }
    }
    for (const auto& lab : changed) on_lab_(lab);
  }
}

namespace {

class HostSources : public EventSources {
 public:
  HostSources(std::string dir, std::chrono::milliseconds debounce, std::shared_ptr<DockerClient> docker, Env& env,
              std::function<void(const std::string&)> log)
      : dir_(std::move(dir)), debounce_(debounce), docker_(std::move(docker)), env_(env), log_(std::move(log)) {}
  ~HostSources() override { Stop(); }

  Status Start(OnDir on_dir, OnLab on_lab) override {
    dir_watcher_ = std::make_unique<DirWatcher>(dir_, debounce_, std::move(on_dir));
    if (Status s = dir_watcher_->Start(); !s) return s;
    docker_events_ = std::make_unique<DockerEvents>(docker_, env_, on_lab, log_);
    docker_events_->Start();
    link_events_ = std::make_unique<LinkEvents>(on_lab);
    return link_events_->Start();
  }
  void Stop() override {
    if (dir_watcher_) dir_watcher_->Stop();
    if (docker_events_) docker_events_->Stop();
    if (link_events_) link_events_->Stop();
  }
  bool Watch(const std::string& lab, const std::map<std::string, int>& pid_by_container) override {
    return link_events_ && link_events_->Watch(lab, pid_by_container);
  }

 private:
  std::string dir_;
  std::chrono::milliseconds debounce_;
  std::shared_ptr<DockerClient> docker_;
  Env& env_;
  std::function<void(const std::string&)> log_;
  std::unique_ptr<DirWatcher> dir_watcher_;
  std::unique_ptr<DockerEvents> docker_events_;
  std::unique_ptr<LinkEvents> link_events_;
};

}  // namespace

std::unique_ptr<EventSources> MakeHostSources(std::string dir, std::chrono::milliseconds debounce,
                                              std::shared_ptr<DockerClient> docker, Env& env,
                                              std::function<void(const std::string&)> log) {
  return std::make_unique<HostSources>(std::move(dir), debounce, std::move(docker), env, std::move(log));
}

}  // namespace lk
