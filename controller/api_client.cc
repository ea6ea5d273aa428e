// Boost 1.74's headers, pulled in by cpprestsdk, need <utility> first under C++20.
#include <utility>

#include "controller/api_client.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include <cstdlib>
#include <fstream>

namespace lk {

std::string ApiReply::Error() const {
  if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"].get<std::string>();
  return "HTTP " + std::to_string(status);
}

Result<ApiReply> ApiCall(const ApiClientOptions& opts, const std::string& method, const std::string& path) {
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(opts.timeout_s));
    web::http::client::http_client client(opts.server, config);
    web::http::http_request req(method);
    req.set_request_uri(path);
    if (!opts.token.empty()) req.headers().add("Authorization", "Bearer " + opts.token);
    web::http::http_response resp = client.request(req).get();
    ApiReply r;
    r.status = resp.status_code();
    r.text = resp.extract_utf8string(true).get();
    r.body = nlohmann::json::parse(r.text, nullptr, /*allow_exceptions=*/false);
    if (r.body.is_discarded()) r.body = nullptr;
    return r;
  } catch (const std::exception& e) {
    return Status::Fail("no labkeeper controller answers at " + opts.server + ": " + e.what());
  }
}

Status ApiStream(const ApiClientOptions& opts, const std::string& path,
                 const std::function<void(const std::string& line)>& on_line) {
  try {
    web::http::client::http_client_config config;
    // Reset by every chunk that arrives: the controller sends a heartbeat line every few seconds.
    config.set_timeout(std::chrono::seconds(opts.timeout_s));
    web::http::client::http_client client(opts.server, config);
    web::http::http_request req(web::http::methods::GET);
    req.set_request_uri(path);
    if (!opts.token.empty()) req.headers().add("Authorization", "Bearer " + opts.token);
    web::http::http_response resp = client.request(req).get();
    if (resp.status_code() != web::http::status_codes::OK) {
      ApiReply r;
      r.status = resp.status_code();
      r.text = resp.extract_utf8string(true).get();
      r.body = nlohmann::json::parse(r.text, nullptr, false);
      if (r.body.is_discarded()) r.body = nullptr;
      return Status::Fail(r.Error());
    }
    concurrency::streams::istream body = resp.body();
    for (;;) {
      concurrency::streams::container_buffer<std::string> line;
      size_t n = body.read_line(line).get();
      if (n == 0 && body.is_eof()) return Status::Ok();
      on_line(line.collection());
    }
  } catch (const std::exception& e) {
    return Status::Fail("the stream from " + opts.server + " broke: " + e.what());
  }
}

Result<std::string> ClientToken(const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::string token;
    if (!std::getline(in, token) || token.empty())
      return Status::Fail("--token-file " + token_file + ": cannot read a token from it");
    return token;
  }
  const char* env = std::getenv("LABKEEPER_TOKEN");
  return std::string(env ? env : "");
}

}  // namespace lk
