// The controller's events as a live stream: every event a lab records (and each pass's result)
// is handed, numbered, to every subscriber that asked for that lab. A subscriber's sink must not
// block (the HTTP server's buffers the event for its client); a sink that returns false is
// dropped (its client left, or fell too far behind).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace lk {

class EventHub {
 public:
  // {"seq", "time", "lab", "type", "reason", "object", "message"}; false: drop me.
  using Sink = std::function<bool(const nlohmann::json& event)>;
  // `labs` empty: every lab's events.
  uint64_t Subscribe(std::set<std::string> labs, Sink sink);
  void Unsubscribe(uint64_t id);
  // Numbers the event (seq, from 1, one sequence for all labs) and hands it to the subscribers.
  void Publish(const std::string& lab, nlohmann::json event);
  size_t Subscribers() const;

 private:
  struct Subscriber {
    std::set<std::string> labs;
    Sink sink;
  };
  mutable std::mutex mu_;
  uint64_t next_id_ = 1, seq_ = 0;
  std::map<uint64_t, Subscriber> subs_;
};

}  // namespace lk
