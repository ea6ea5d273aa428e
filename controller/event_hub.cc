#include "controller/event_hub.h"

namespace lk {

uint64_t EventHub::Subscribe(std::set<std::string> labs, Sink sink) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  subs_[id] = {std::move(labs), std::move(sink)};
  return id;
}

void EventHub::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

void EventHub::Publish(const std::string& lab, nlohmann::json event) {
  std::lock_guard lock(mu_);
  event["seq"] = ++seq_;
  event["lab"] = lab;
  for (auto it = subs_.begin(); it != subs_.end();) {
    const Subscriber& s = it->second;
    bool keep = true;
    if (s.labs.empty() || s.labs.count(lab)) keep = s.sink(event);
    it = keep ? std::next(it) : subs_.erase(it);
  }
}

size_t EventHub::Subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace lk
