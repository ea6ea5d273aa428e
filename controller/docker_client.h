// A small Docker Engine API client (API v1.41) over the engine's unix socket or TCP, on libcurl.
// Each call uses its own curl handle, so one client may be shared by several threads.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/result.h"
#include "controller/runtime.h"  // ExecResult

namespace lk {

struct HttpReply {
  long status = 0;
  std::string body;
};

class DockerClient {
 public:
  // `host` as DOCKER_HOST: unix:///path or tcp://host:port. Empty: $DOCKER_HOST, else the
  // default socket /var/run/docker.sock.
  explicit DockerClient(std::string host = "");

  const std::string& host() const { return host_; }

  // GET /version: {"ApiVersion", "Version", "Arch", "Os", ...}.
  Result<nlohmann::json> Version();
  Result<nlohmann::json> Info();

  // Containers. `labels` filter with label=key=value (a value of "" matches the key alone).
  Result<nlohmann::json> ListContainers(const std::map<std::string, std::string>& labels, bool all = true);
  // Every container's name (without the leading "/"), running or not.
  Result<std::set<std::string>> ContainerNames();
  // Inspect by id or name; a missing container gives an ok Result holding null.
  Result<nlohmann::json> InspectContainer(const std::string& id_or_name);
  Result<std::string> CreateContainer(const std::string& name, const nlohmann::json& body,
                                      const std::string& platform = "");
  Status StartContainer(const std::string& id);
  Status StopContainer(const std::string& id, int timeout_s = 10);
  Status RemoveContainer(const std::string& id, bool force = true);
  Result<ExecResult> Exec(const std::string& id, const std::vector<std::string>& argv);

  // Images. InspectImage gives null when the image is not present.
  Result<nlohmann::json> InspectImage(const std::string& ref);
  // Pulls; each progress message of the engine ({"status", "id", "progress"}) goes to
  // on_progress as it arrives.
  Status PullImage(const std::string& ref, const std::string& platform = "",
                   const std::function<void(const nlohmann::json&)>& on_progress = nullptr);

  // Networks. InspectNetwork gives null when missing.
  Result<nlohmann::json> InspectNetwork(const std::string& name);
  Result<std::string> CreateNetwork(const nlohmann::json& body);
  // True when removed (or already gone); false when the engine refuses because it counts
  // endpoints on the network (HTTP 403; the predefined networks answer so too).
  Result<bool> RemoveNetwork(const std::string& id);

  // GET of a streaming endpoint (/events): calls on_line for each line of the body until the
  // engine closes it, an error occurs, or `stop` becomes true (checked about once a second).
  Status Stream(const std::string& path, const std::function<void(const std::string&)>& on_line,
                const std::atomic<bool>& stop);

  // Raw request; the path is appended to /v1.41. Used by the calls above.
  Result<HttpReply> Request(const std::string& method, const std::string& path, const std::string& body = "",
                            long timeout_s = 120);

 private:
  // METHOD PATH whose reply body goes to on_line a line at a time as it arrives, until the
  // engine ends it or `stop` becomes true (timeout_s 0: no limit). Fails with libcurl's message
  // when the transfer fails. Stream and PullImage use it.
  Status StreamRequest(const std::string& method, const std::string& path,
                       const std::function<void(const std::string&)>& on_line, const std::atomic<bool>& stop,
                       long timeout_s, long* http_status);
  // Turns a non-2xx reply into the engine's own message.
  static Status Failure(const std::string& what, const HttpReply& r);
  std::string host_;
  std::string socket_path_;  // for unix://
  std::string base_url_;
};

// Percent-encodes a query value.
std::string UrlEncode(const std::string& s);

}  // namespace lk
