// The CLI's side of the HTTP API (cpprestsdk's http_client): `status`, `plan --server`,
// `reconcile`, `suspend`, `resume` against a running controller. Needs neither the Docker client
// nor netlink, so it is all the client-only build (macOS) has.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/result.h"

namespace lk {

struct ApiClientOptions {
  std::string server = "http://127.0.0.1:9580";
  std::string token;  // sent as "Authorization: Bearer TOKEN" when set
  int timeout_s = 30;
};

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // null when the answer is not JSON
  std::string text;
  // The API's error message, or the status line when there is none.
  std::string Error() const;
};

// Fails only when no controller answers (refused, unreachable, timed out, not HTTP).
Result<ApiReply> ApiCall(const ApiClientOptions& opts, const std::string& method, const std::string& path);

// GET `path` as a stream: `on_line` gets each line as it arrives (without its newline), until
// the controller ends the response. Fails when none answers, or with the API's error when it
// refuses (a status other than 200); ends with OK when the stream ended.
Status ApiStream(const ApiClientOptions& opts, const std::string& path,
                 const std::function<void(const std::string& line)>& on_line);

// The token for a client: the file's first line, else $LABKEEPER_TOKEN, else "".
Result<std::string> ClientToken(const std::string& token_file);

}  // namespace lk
