// Fault injection shared by the in-memory fakes: a method that fails the next N calls or stalls
// every call on demand, and a log of the calls made.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lk::test {

class Faults {
 public:
  // The next `times` calls of `method` fail with `message`.
  void FailNext(const std::string& method, const std::string& message, int times = 1) {
    std::lock_guard lock(mu_);
    failures_[method] = {message, times};
  }
  // Every call of `method` waits this long before it answers (0 to stop stalling).
  void Stall(const std::string& method, std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    stalls_[method] = delay;
  }
  // Every call made so far, by method name, in order.
  std::vector<std::string> Calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Records a call, stalls or fails it as asked: the failure's message, or "" when it goes on.
  std::string Enter(const std::string& method) {
    std::chrono::milliseconds stall{0};
    {
      std::lock_guard lock(mu_);
      calls_.push_back(method);
      if (auto s = stalls_.find(method); s != stalls_.end()) stall = s->second;
    }
    if (stall.count() > 0) std::this_thread::sleep_for(stall);
    std::lock_guard lock(mu_);
    auto f = failures_.find(method);
    if (f == failures_.end() || f->second.second <= 0) return "";
    std::string message = f->second.first;
    if (--f->second.second == 0) failures_.erase(f);
    return message;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, int>> failures_;  // method -> message, times left
  std::map<std::string, std::chrono::milliseconds> stalls_;
  std::vector<std::string> calls_;
};

}  // namespace lk::test
