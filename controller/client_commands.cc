#include "controller/client_commands.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "controller/status_format.h"

namespace lk {

void PrintLabStatus(const nlohmann::json& doc) {
  const auto& st = doc["status"];
  std::cout << "lab " << doc.value("name", "?") << " (" << doc.value("file", "") << ")\n  conditions:";
  for (const auto& c : st["conditions"]) {
    std::cout << " " << c.value("type", "?") << "=" << c.value("status", "?");
    if (c.value("status", "") == "True" && !c.value("message", "").empty() && c.value("type", "") != "Ready")
      std::cout << " (" << c.value("reason", "") << ": " << c.value("message", "") << ")";
  }
  if (st.contains("source")) {
    const auto& src = st["source"];
    std::cout << "\n  source: " << src.value("message", "") << "; last applied from "
              << (src.value("lastAppliedRevision", "").empty() ? std::string("-")
                                                               : src.value("lastAppliedRevision", "").substr(0, 12))
              << (src.value("lastAppliedModified", false) ? " (with changes not committed)" : "");
  }
  const auto& last = st["lastReconcile"];
  std::cout << "\n  last reconcile: " << last.value("time", "-") << ", " << last.value("result", "-") << ", "
            << last.value("actions", 0) << " actions; " << st.value("reconciles", 0) << " passes\n";
  for (const auto& l : st.value("links", nlohmann::json::array()))
    for (const auto& imp : l.value("impairments", nlohmann::json::array())) {
      std::string problem = imp.value("problem", "");
      std::cout << "  impaired: link " << l.value("id", "?") << ", end " << imp.value("end", "?") << ": "
                << imp.value("declared", "") << (problem.empty() ? "" : " (not made: " + problem + ")") << "\n";
    }
  const auto& events = doc["events"];
  size_t from = events.size() > 5 ? events.size() - 5 : 0;
  for (size_t i = from; i < events.size(); ++i) {
    const auto& e = events[i];
    std::cout << "  " << e.value("time", "") << " " << e.value("type", "") << " " << e.value("reason", "") << " "
              << e.value("object", "") << ": " << e.value("message", "") << "\n";
  }
}

namespace {

std::string Encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Each lab's conditions and suspension into `status -o json`; labs without containers (stalled,
// suspended before their first pass) still show.
void AddLabConditions(const std::vector<nlohmann::json>& docs, nlohmann::json* j) {
  for (const auto& d : docs) {
    bool seen = false;
    for (auto& l : (*j)["labs"])
      if (l["name"] == d["name"]) {
        seen = true;
        l["conditions"] = d["status"]["conditions"];
        l["suspended"] = d["status"]["suspended"];
      }
    if (!seen)
      (*j)["labs"].push_back({{"name", d["name"]},
                              {"topoFile", d["file"]},
                              {"nodes", nlohmann::json::array()},
                              {"conditions", d["status"]["conditions"]},
                              {"suspended", d["status"]["suspended"]}});
  }
}

}  // namespace

std::optional<int> StatusViaServer(const ApiClientOptions& opts, const std::string& lab, const std::string& output,
                                   std::string* why) {
  std::vector<std::string> names;
  auto list = ApiCall(opts, "GET", "/api/v1/labs");
  if (!list) {
    *why = list.error();
    return std::nullopt;
  }
  if (list->status != 200) {
    std::cerr << "labkeeper status: " << opts.server << ": " << list->Error() << "\n";
    return 1;
  }
  if (lab.empty())
    for (const auto& l : list->body["labs"]) names.push_back(l.value("name", ""));
  else
    names.push_back(lab);
  const nlohmann::json controller = list->body.value("controller", nlohmann::json::object());
  std::vector<nlohmann::json> docs;
  for (const auto& name : names) {
    auto doc = ApiCall(opts, "GET", "/api/v1/labs/" + Encode(name));
    if (!doc) {
      *why = doc.error();
      return std::nullopt;
    }
    if (doc->status != 200) {
      std::cerr << "labkeeper status: " << doc->Error() << "\n";
      return 1;
    }
    docs.push_back(doc->body);
  }
  std::vector<NodeStatus> nodes = NodesFromApi(docs);
  if (output == "json") {
    nlohmann::json j = StatusJson(nodes);
    j["source"] = "controller";
    j["server"] = opts.server;
    j["controller"] = controller;
    AddLabConditions(docs, &j);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (nodes.empty())
    std::cout << (lab.empty() ? "the controller has no running nodes\n" : "lab " + lab + " has no containers\n");
  else
    std::cout << StatusTable(nodes);
  std::cout << "\nfrom the controller at " << opts.server << "\n";
  const nlohmann::json state = controller.value("stateDir", nlohmann::json::object());
  if (!state.value("writable", true))
    std::cout << "warning: the controller cannot write its state directory (" << state.value("error", "?")
              << "); it goes on reconciling\n";
  for (const auto& d : docs) PrintLabStatus(d);
  return 0;
}

int PlanViaServer(const ApiClientOptions& opts, const std::vector<std::string>& labs, const std::string& output) {
  nlohmann::json out = {{"labs", nlohmann::json::array()}};
  bool pending = false, failed = false;
  for (const auto& name : labs) {
    if (name.find('/') != std::string::npos || name.ends_with(".yml") || name.ends_with(".yaml")) {
      std::cerr << "labkeeper plan --server: \"" << name << "\" looks like a file; give the lab's name\n";
      return 2;
    }
    auto r = ApiCall(opts, "GET", "/api/v1/labs/" + Encode(name) + "/plan");
    if (!r) {
      std::cerr << "labkeeper plan: " << r.error() << "\n";
      return 2;
    }
    if (r->status != 200) {
      std::cerr << "labkeeper plan: lab " << name << ": " << r->Error() << "\n";
      failed = true;
      continue;
    }
    const auto& p = r->body;
    out["labs"].push_back(p);
    bool errors = !p["errors"].empty();
    failed |= errors;
    pending |= !p["actions"].empty();
    if (output == "json") continue;
    if (errors) {
      std::cerr << "lab " << name << ": cannot plan:";
      for (const auto& e : p["errors"]) std::cerr << " " << e.get<std::string>();
      std::cerr << "\n";
    } else if (p["actions"].empty()) {
      std::cout << "lab " << name << ": in sync, no changes\n";
    } else {
      std::cout << "lab " << name << ": " << p["actions"].size() << " actions\n";
      for (const auto& a : p["actions"])
        std::cout << "  " << a.value("action", "") << " " << a.value("object", "") << " (" << a.value("reason", "")
                  << ")\n";
    }
  }
  if (output == "json") std::cout << out.dump(2) << "\n";
  return failed ? 2 : pending ? 1 : 0;
}

int FollowEvents(const ApiClientOptions& opts, const EventsFollow& follow) {
  uint64_t since = follow.since;
  std::string boot = follow.boot;
  bool said_down = false;
  while (true) {
    std::string path = "/api/v1/events";
    std::vector<std::string> query;
    for (const auto& lab : follow.labs) query.push_back("lab=" + Encode(lab));
    if (!boot.empty()) query.push_back("since=" + std::to_string(since) + "&boot=" + Encode(boot));
    for (size_t i = 0; i < query.size(); ++i) path += (i ? "&" : "?") + query[i];
    bool heard = false;
    Status s = ApiStream(opts, path, [&](const std::string& line) {
      heard = true;
      if (line.find_first_not_of(" \r\n") == std::string::npos) return;  // a heartbeat
      auto e = nlohmann::json::parse(line, nullptr, false);
      if (!e.is_discarded() && e.value("boot", "") != "") {
        boot = e.value("boot", "");
        since = e.value("seq", uint64_t{0});
      }
      if (follow.output == "json" || e.is_discarded()) {
        std::cout << line << std::endl;
        return;
      }
      std::cout << e.value("time", "") << " " << e.value("lab", "") << " " << e.value("type", "") << " "
                << e.value("reason", "") << " " << e.value("object", "") << ": " << e.value("message", "") << std::endl;
    });
    std::string why = s.ok() ? "the controller ended the stream" : s.message();
    std::string resume =
        boot.empty() ? "" : " (--since " + std::to_string(since) + " --boot " + boot + " resumes here)";
    if (!follow.reconnect) {
      std::cerr << "labkeeper events: " << why << resume << "\n";
      return 1;
    }
    if (heard || !said_down) std::cerr << "labkeeper events: " << why << "; reconnecting" << resume << "\n";
    said_down = !heard;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int LabAction(const ApiClientOptions& opts, const std::string& action, const std::vector<std::string>& labs) {
  int rc = 0;
  for (const auto& name : labs) {
    auto r = ApiCall(opts, "POST", "/api/v1/labs/" + Encode(name) + "/" + action);
    if (!r) {
      std::cerr << "labkeeper " << action << ": " << r.error() << "\n";
      return 1;
    }
    if (r->status / 100 != 2) {
      std::cerr << "labkeeper " << action << ": lab " << name << ": " << r->Error() << "\n";
      rc = 1;
      continue;
    }
    std::cout << "lab " << name << ": "
              << (action == "reconcile" ? "reconcile queued"
                  : action == "suspend" ? "suspended"
                                        : "resumed")
              << "\n";
  }
  return rc;
}

}  // namespace lk
