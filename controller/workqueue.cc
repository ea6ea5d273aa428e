#include "controller/workqueue.h"

#include <algorithm>

namespace lk {

WorkQueue::WorkQueue(const Clock& clock, Duration base, Duration cap) : clock_(clock), base_(base), cap_(cap) {}

void WorkQueue::AddLocked(const std::string& key) {
  ++stats_.adds;
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  added_at_.emplace(key, clock_.Now());
  if (!processing_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  waiting_.erase(key);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay <= Duration::zero()) {
    AddLocked(key);
    return;
  }
  TimePoint at = clock_.Now() + delay;
  auto it = waiting_.find(key);
  if (it == waiting_.end() || at < it->second) waiting_[key] = at;
  cv_.notify_all();
}

Duration WorkQueue::AddRateLimited(const std::string& key) {
  Duration delay;
  {
    std::lock_guard lock(mu_);
    int n = failures_[key]++;
    ++stats_.retries;
    delay = base_;
    for (int i = 0; i < n && delay < cap_; ++i) delay *= 2;
    delay = std::min(delay, cap_);
  }
  AddAfter(key, delay);
  return delay;
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteReadyLocked() {
  TimePoint now = clock_.Now();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = waiting_.erase(it);
      AddLocked(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::PopLocked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = queue_.front();
  queue_.erase(queue_.begin());
  dirty_.erase(key);
  if (auto it = added_at_.find(key); it != added_at_.end()) {
    if (on_latency_) on_latency_(clock_.Now() - it->second);
    added_at_.erase(it);
  }
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard lock(mu_);
  PromoteReadyLocked();
  return PopLocked();
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  while (true) {
    PromoteReadyLocked();
    if (auto key = PopLocked()) return key;
    if (shutting_down_) return std::nullopt;
    // Sleep until the next delayed key is due, or something is added; never longer than 1 s,
    // so a clock that is not the real one still gets looked at.
    auto wait = std::chrono::milliseconds(1000);
    if (!waiting_.empty()) {
      TimePoint next = std::min_element(waiting_.begin(), waiting_.end(), [](auto& a, auto& b) {
                         return a.second < b.second;
                       })->second;
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.Now());
      wait = std::clamp(until, std::chrono::milliseconds(1), wait);
    }
    cv_.wait_for(lock, wait);
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

bool WorkQueue::Idle() const {
  std::lock_guard lock(mu_);
  return queue_.empty() && processing_.empty();
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  waiting_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

QueueStats WorkQueue::Stats() const {
  std::lock_guard lock(mu_);
  QueueStats s = stats_;
  s.depth = queue_.size();
  return s;
}

std::optional<TimePoint> WorkQueue::AddedAt(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = added_at_.find(key);
  if (it == added_at_.end()) return std::nullopt;
  return it->second;
}

}  // namespace lk

namespace lk {
void WorkQueue::OnLatency(std::function<void(Duration)> fn) {
  std::lock_guard lock(mu_);
  on_latency_ = std::move(fn);
}
}  // namespace lk
