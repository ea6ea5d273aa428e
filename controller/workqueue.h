// A work queue keyed by lab, in the manner of client-go's: a "dirty" set of keys waiting, a
// "processing" set of keys being worked on, so a key is never handled by two workers at once
// and a burst of adds becomes one pass; delayed adds; and per-key exponential backoff.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/clock.h"

namespace lk {

struct QueueStats {
  uint64_t adds = 0;     // keys added (including ones that were already waiting)
  uint64_t retries = 0;  // AddRateLimited calls
  size_t depth = 0;      // keys waiting now
};

class WorkQueue {
 public:
  // Backoff per key: base, doubling on every failure, up to cap; Forget resets it.
  WorkQueue(const Clock& clock, Duration base = std::chrono::seconds(1), Duration cap = std::chrono::minutes(5));

  // Adds a key now. A key already waiting is not added twice; a key being processed is
  // marked dirty and handed out again once Done is called.
  void Add(const std::string& key);
  // Adds a key once `delay` has passed (an earlier pending delay for the key wins).
  void AddAfter(const std::string& key, Duration delay);
  // Adds a key after its current backoff, then doubles the backoff. Returns the delay used.
  Duration AddRateLimited(const std::string& key);
  // Resets a key's backoff after a success.
  void Forget(const std::string& key);
  int Failures(const std::string& key) const;

  // Blocks until a key is ready (returns it, now "processing") or the queue shuts down (nullopt).
  std::optional<std::string> Get();
  // Non-blocking Get, for tests driven by a FakeClock.
  std::optional<std::string> TryGet();
  // Marks a key's processing finished.
  void Done(const std::string& key);
  // Nothing is ready to be got and nothing is being processed (delayed keys aside).
  bool Idle() const;

  // Wakes every Get; Get returns nullopt from then on, once nothing is ready.
  void ShutDown();
  bool ShuttingDown() const;
  QueueStats Stats() const;
  // When each waiting key was added, for queue-latency measurements.
  std::optional<TimePoint> AddedAt(const std::string& key) const;
  // Called (under the queue's lock: keep it short) with how long each key waited before Get.
  void OnLatency(std::function<void(Duration)> fn);

 private:
  void PromoteReadyLocked();
  std::optional<std::string> PopLocked();
  void AddLocked(const std::string& key);

  const Clock& clock_;
  Duration base_, cap_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> queue_;  // FIFO of dirty keys not being processed
  std::set<std::string> dirty_, processing_;
  std::map<std::string, TimePoint> waiting_;  // delayed adds: key -> ready time
  std::map<std::string, int> failures_;
  std::map<std::string, TimePoint> added_at_;
  QueueStats stats_;
  std::function<void(Duration)> on_latency_;
  bool shutting_down_ = false;
};

}  // namespace lk
