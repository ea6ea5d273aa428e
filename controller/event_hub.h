// The controller's events as a live stream: every event a lab records (and each pass's result)
// is handed, numbered, to every subscriber that asked for that lab. A subscriber's sink must not
// block (the HTTP server's buffers the event for its client); a sink that returns false is
// dropped (its client left, or fell too far behind). The last events are kept, so a reader that
// lost its connection takes up where it left off (the seq of the last event it had, and the
// controller run it had it from: `boot`).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace lk {

class EventHub {
 public:
  // Events kept for readers that come back; `boot` names this run of the controller (every event
  // carries it; a new one each start unless given).
  explicit EventHub(size_t keep = 4096, std::string boot = "");

  // {"seq", "boot", "time", "lab", "type", "reason", "object", "message"}; false: drop me.
  using Sink = std::function<bool(const nlohmann::json& event)>;
  // Where a reader left off: the seq of the last event it had, in the run `boot`.
  struct Cursor {
    uint64_t since = 0;
    std::string boot;
  };
  // `labs` empty: every lab's events. With `from`, first the kept events after it; when they do
  // not reach back that far, or `from` is of another run, first one event of reason StreamGap
  // (seq: the last event's) that says to read the state anew.
  uint64_t Subscribe(std::set<std::string> labs, Sink sink, const std::optional<Cursor>& from = std::nullopt);
  void Unsubscribe(uint64_t id);
  // Numbers the event (seq, from 1, one sequence for all labs) and hands it to the subscribers.
  void Publish(const std::string& lab, nlohmann::json event);
  size_t Subscribers() const;
  // The run's name, and the seq of the last event published (0 before any): a reader that reads a
  // lab's state with these and then subscribes from them misses nothing and repeats nothing.
  const std::string& Boot() const { return boot_; }
  Cursor Now() const;

 private:
  struct Subscriber {
    std::set<std::string> labs;
    Sink sink;
  };
  bool Wants(const Subscriber& s, const nlohmann::json& event) const;
  nlohmann::json Gap(const Cursor& from) const;
  mutable std::mutex mu_;
  const size_t keep_;
  const std::string boot_;
  uint64_t next_id_ = 1, seq_ = 0;
  std::map<uint64_t, Subscriber> subs_;
  std::deque<nlohmann::json> kept_;  // the last keep_ events, oldest first
};

}  // namespace lk
