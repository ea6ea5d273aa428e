// The controller as the HTTP API sees it: the adapter from http_api.h's ApiBackend to Controller.
#pragma once

#include "controller/controller.h"
#include "controller/http_api.h"

namespace lk {

class ControllerApi : public ApiBackend {
 public:
  explicit ControllerApi(Controller& c) : c_(c) {}
  std::string Metrics() override { return c_.Metrics(); }
  bool Ready() override { return c_.Synced(); }
  nlohmann::json Labs() override { return c_.LabsJson(); }
  std::optional<nlohmann::json> Lab(const std::string& name) override { return c_.LabJson(name); }
  std::optional<nlohmann::json> Plan(const std::string& name) override { return c_.PlanJson(name); }
  std::optional<nlohmann::json> Interfaces(const std::string& name) override { return c_.InterfacesJson(name); }
  bool Reconcile(const std::string& name) override;
  Suspend SetSuspended(const std::string& name, bool suspended) override;
  uint64_t SubscribeEvents(const std::set<std::string>& labs, const std::optional<EventsFrom>& from,
                           EventSink sink) override {
    std::optional<EventHub::Cursor> cursor;
    if (from) cursor = EventHub::Cursor{from->since, from->boot};
    return c_.Events().Subscribe(labs, std::move(sink), cursor);
  }
  void UnsubscribeEvents(uint64_t id) override { c_.Events().Unsubscribe(id); }

 private:
  Controller& c_;
};

}  // namespace lk
