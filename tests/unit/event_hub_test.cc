// The controller's live events: numbered in one sequence, handed only to the subscribers of
// their lab, a sink that declines dropped; and the rules of GET /api/v1/events.
#include "controller/event_hub.h"

#include <gtest/gtest.h>

#include "controller/http_api.h"

namespace lk {
namespace {

TEST(EventHub, NumbersEveryEventAndHandsItOnlyToItsLabsSubscribers) {
  EventHub hub;
  std::vector<nlohmann::json> a_only, all;
  hub.Subscribe({"a"}, [&](const nlohmann::json& e) {
    a_only.push_back(e);
    return true;
  });
  hub.Subscribe({}, [&](const nlohmann::json& e) {
    all.push_back(e);
    return true;
  });
  hub.Publish("a", {{"reason", "One"}});
  hub.Publish("b", {{"reason", "Two"}});
  hub.Publish("a", {{"reason", "Three"}});
  ASSERT_EQ(a_only.size(), 2u);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(a_only[0]["reason"], "One");
  EXPECT_EQ(a_only[1]["reason"], "Three");
  EXPECT_EQ(a_only[1]["lab"], "a");
  EXPECT_EQ(all[0]["seq"], 1);
  EXPECT_EQ(all[1]["seq"], 2);
  EXPECT_EQ(all[2]["seq"], 3) << "one sequence for every lab";
}

TEST(EventHub, ASinkThatDeclinesIsDroppedAndAnUnsubscribedOneHearsNothing) {
  EventHub hub;
  int declined = 0, gone = 0;
  hub.Subscribe({}, [&](const nlohmann::json&) {
    ++declined;
    return false;
  });
  uint64_t id = hub.Subscribe({}, [&](const nlohmann::json&) {
    ++gone;
    return true;
  });
  EXPECT_EQ(hub.Subscribers(), 2u);
  hub.Unsubscribe(id);
  hub.Publish("a", {});
  hub.Publish("a", {});
  EXPECT_EQ(declined, 1);
  EXPECT_EQ(gone, 0);
  EXPECT_EQ(hub.Subscribers(), 0u);
}

// What a sink collects.
struct Collected {
  std::vector<nlohmann::json> events;
  EventHub::Sink Sink() {
    return [this](const nlohmann::json& e) {
      events.push_back(e);
      return true;
    };
  }
  std::vector<std::string> Reasons() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["reason"]);
    return out;
  }
};

// A reader that lost its connection comes back with the seq and run of the last event it had:
// it gets exactly what it missed, of its labs, then the live events, nothing twice.
TEST(EventHub, AReaderThatComesBackGetsWhatItMissedAndNothingTwice) {
  EventHub hub(100, "run1");
  Collected first;
  uint64_t id = hub.Subscribe({"a"}, first.Sink());
  hub.Publish("a", {{"reason", "One"}});
  hub.Publish("b", {{"reason", "Other"}});
  hub.Unsubscribe(id);  // the connection dropped after One
  hub.Publish("a", {{"reason", "Two"}});
  hub.Publish("a", {{"reason", "Three"}});
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_EQ(first.events[0]["boot"], "run1");
  EventHub::Cursor at{first.events[0]["seq"].get<uint64_t>(), first.events[0]["boot"]};
  Collected again;
  hub.Subscribe({"a"}, again.Sink(), at);
  hub.Publish("a", {{"reason", "Four"}});
  EXPECT_EQ(again.Reasons(), (std::vector<std::string>{"Two", "Three", "Four"}));
  EXPECT_EQ(again.events[0]["seq"], 3);
  EXPECT_EQ(again.events[2]["seq"], 5);
  // From the hub's own cursor (what a snapshot is read with): only what comes after.
  Collected fresh;
  hub.Subscribe({}, fresh.Sink(), hub.Now());
  hub.Publish("b", {{"reason", "Five"}});
  EXPECT_EQ(fresh.Reasons(), (std::vector<std::string>{"Five"}));
}

// What cannot be taken up: a cursor of another run (the controller restarted) or older than the
// events kept. The reader is told first (StreamGap, with the last seq), then hears what comes.
TEST(EventHub, AGapIsSaidWhenTheEventsAreNotThereAnyMore) {
  EventHub hub(2, "run2");
  for (const char* r : {"One", "Two", "Three", "Four"}) hub.Publish("a", {{"reason", r}});
  Collected restarted;
  hub.Subscribe({}, restarted.Sink(), EventHub::Cursor{2, "run1"});
  ASSERT_EQ(restarted.events.size(), 1u);
  EXPECT_EQ(restarted.events[0]["reason"], "StreamGap");
  EXPECT_EQ(restarted.events[0]["seq"], 4) << "the last event's seq: go on from there";
  EXPECT_EQ(restarted.events[0]["boot"], "run2");
  EXPECT_NE(restarted.events[0]["message"].get<std::string>().find("restarted"), std::string::npos);
  Collected behind;
  hub.Subscribe({}, behind.Sink(), EventHub::Cursor{1, "run2"});  // 2 is no longer kept
  EXPECT_EQ(behind.Reasons(), (std::vector<std::string>{"StreamGap"}));
  Collected just;
  hub.Subscribe({}, just.Sink(), EventHub::Cursor{2, "run2"});  // 3 and 4 are kept
  EXPECT_EQ(just.Reasons(), (std::vector<std::string>{"Three", "Four"}));
  Collected ahead;
  hub.Subscribe({}, ahead.Sink(), EventHub::Cursor{9, "run2"});  // a seq this run never gave
  EXPECT_EQ(ahead.Reasons(), (std::vector<std::string>{"StreamGap"}));
  hub.Publish("a", {{"reason", "Five"}});
  EXPECT_EQ(behind.Reasons(), (std::vector<std::string>{"StreamGap", "Five"}));
  EXPECT_NE(EventHub().Boot(), EventHub().Boot()) << "each run its own name";
}

// Route's backend, for requests that never reach it.
class FakeBackendForRoute : public ApiBackend {
 public:
  std::string Metrics() override { return ""; }
  bool Ready() override { return true; }
  nlohmann::json Labs() override { return nlohmann::json::object(); }
  std::optional<nlohmann::json> Lab(const std::string&) override { return std::nullopt; }
  std::optional<nlohmann::json> Plan(const std::string&) override { return std::nullopt; }
  std::optional<nlohmann::json> Interfaces(const std::string&) override { return std::nullopt; }
  bool Reconcile(const std::string&) override { return false; }
  Suspend SetSuspended(const std::string&, bool) override { return Suspend::kNoSuchLab; }
  uint64_t SubscribeEvents(const std::set<std::string>&, const std::optional<EventsFrom>&, EventSink) override {
    return 0;
  }
  void UnsubscribeEvents(uint64_t) override {}
};

HttpRequest Get(std::string query, std::string method = "GET", std::string auth = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = kEventsPath;
  r.query = std::move(query);
  r.authorization = std::move(auth);
  return r;
}

TEST(EventsRequest, TakesRepeatedLabsAndRefusesWhatIsNotAsked) {
  ApiOptions opts;
  EventsRequest ok = CheckEventsRequest(Get("lab=a&lab=b.c"), opts);
  EXPECT_FALSE(ok.refused);
  EXPECT_EQ(ok.labs, (std::set<std::string>{"a", "b.c"}));
  EXPECT_TRUE(CheckEventsRequest(Get(""), opts).labs.empty()) << "every lab";
  EXPECT_EQ(CheckEventsRequest(Get("", "POST"), opts).refused->status, 405);
  EXPECT_EQ(CheckEventsRequest(Get("since=3"), opts).refused->status, 400) << "since without boot";
  EXPECT_EQ(CheckEventsRequest(Get("boot=ab12"), opts).refused->status, 400) << "boot without since";
  EXPECT_EQ(CheckEventsRequest(Get("since=x&boot=ab12"), opts).refused->status, 400);
  EXPECT_EQ(CheckEventsRequest(Get("since=3&boot=AB-12"), opts).refused->status, 400);
  EXPECT_EQ(CheckEventsRequest(Get("since=99999999999999999999&boot=ab"), opts).refused->status, 400);
  EventsRequest resumed = CheckEventsRequest(Get("lab=a&since=42&boot=0123abcd"), opts);
  ASSERT_FALSE(resumed.refused) << resumed.refused->body;
  ASSERT_TRUE(resumed.from);
  EXPECT_EQ(resumed.from->since, 42u);
  EXPECT_EQ(resumed.from->boot, "0123abcd");
  EXPECT_FALSE(ok.from) << "from now on";
  EXPECT_EQ(CheckEventsRequest(Get("lab=a%2Fb"), opts).refused->status, 400);
  // Off loopback a read needs the token, as every read of the API.
  opts.token = "s3cret";
  opts.loopback = false;
  EXPECT_EQ(CheckEventsRequest(Get(""), opts).refused->status, 401);
  EXPECT_FALSE(CheckEventsRequest(Get("", "GET", "Bearer s3cret"), opts).refused);
  opts.loopback = true;
  EXPECT_FALSE(CheckEventsRequest(Get(""), opts).refused) << "open on loopback";
}

// Found by fuzz_api_router: an error message quoting bytes that are not UTF-8 threw from the
// JSON writer; they are replaced instead, and the answer is the 4xx it should be.
TEST(EventsRequest, BytesThatAreNotUtf8AreAnsweredNotThrown) {
  ApiOptions opts;
  EventsRequest bad = CheckEventsRequest(Get("", "G\xa3T"), opts);
  ASSERT_TRUE(bad.refused);
  EXPECT_EQ(bad.refused->status, 405);
  EXPECT_FALSE(nlohmann::json::parse(bad.refused->body, nullptr, false).is_discarded()) << bad.refused->body;
  EXPECT_EQ(CheckEventsRequest(Get("lab=\xa3"), opts).refused->status, 400);
  HttpRequest r = Get("", "G\xa3T");
  r.path = "/api/v1/labs";
  FakeBackendForRoute backend;
  EXPECT_EQ(Route(r, backend, opts).status, 405) << "not a 500";
}

}  // namespace
}  // namespace lk
