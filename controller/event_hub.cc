#include "controller/event_hub.h"

#include <chrono>
#include <random>

#include "api/strings.h"

namespace lk {
namespace {

// 16 hex digits, new at every start: the time and a random number, hashed.
std::string NewBoot() {
  std::random_device rd;
  uint64_t entropy = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return Hex64(Fnv1a64({std::to_string(now), "/", std::to_string(entropy)}));
}

}  // namespace

EventHub::EventHub(size_t keep, std::string boot) : keep_(keep), boot_(boot.empty() ? NewBoot() : std::move(boot)) {}

bool EventHub::Wants(const Subscriber& s, const nlohmann::json& event) const {
  return s.labs.empty() || s.labs.count(event.value("lab", ""));
}

nlohmann::json EventHub::Gap(const Cursor& from) const {
  std::string why = from.boot != boot_ ? "the controller restarted since (run " + from.boot + ", now " + boot_ + ")"
                                       : "the events after seq " + std::to_string(from.since) +
                                             " are no longer kept (the last " + std::to_string(keep_) + " are)";
  return {{"seq", seq_},       {"boot", boot_},
          {"lab", ""},         {"time", ""},
          {"type", "Warning"}, {"reason", "StreamGap"},
          {"object", ""},      {"message", why + ": read the labs' state again; the events go on from here"}};
}

uint64_t EventHub::Subscribe(std::set<std::string> labs, Sink sink, const std::optional<Cursor>& from) {
  std::lock_guard lock(mu_);
  Subscriber s{std::move(labs), std::move(sink)};
  if (from) {
    uint64_t oldest = kept_.empty() ? seq_ + 1 : kept_.front()["seq"].get<uint64_t>();
    bool reaches = from->boot == boot_ && from->since <= seq_ && from->since + 1 >= oldest;
    if (!reaches) {
      if (!s.sink(Gap(*from))) return 0;
    } else {
      for (const auto& e : kept_)
        if (e["seq"].get<uint64_t>() > from->since && Wants(s, e) && !s.sink(e)) return 0;
    }
  }
  uint64_t id = next_id_++;
  subs_[id] = std::move(s);
  return id;
}

void EventHub::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

void EventHub::Publish(const std::string& lab, nlohmann::json event) {
  std::lock_guard lock(mu_);
  event["seq"] = ++seq_;
  event["boot"] = boot_;
  event["lab"] = lab;
  for (auto it = subs_.begin(); it != subs_.end();) {
    bool keep = !Wants(it->second, event) || it->second.sink(event);
    it = keep ? std::next(it) : subs_.erase(it);
  }
  kept_.push_back(std::move(event));
  if (kept_.size() > keep_) kept_.pop_front();
}

size_t EventHub::Subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

EventHub::Cursor EventHub::Now() const {
  std::lock_guard lock(mu_);
  return {seq_, boot_};
}

}  // namespace lk
