#include "controller/docker_client.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace lk {
namespace {

constexpr char kApi[] = "/v1.41";

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Docker multiplexes stdout/stderr of a non-TTY exec as frames: 8-byte header, then payload.
std::string Demux(const std::string& raw) {
  std::string out;
  size_t i = 0;
  while (i + 8 <= raw.size()) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(raw[i + k]); };
    if (b(0) > 2 || b(1) || b(2) || b(3)) return raw;  // not framed (TTY)
    size_t len = (size_t{b(4)} << 24) | (size_t{b(5)} << 16) | (size_t{b(6)} << 8) | size_t{b(7)};
    out.append(raw, i + 8, len);
    i += 8 + len;
  }
  return out;
}

}  // namespace

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

DockerClient::DockerClient(std::string host) : host_(std::move(host)) {
  GlobalInit();
  if (host_.empty()) {
    const char* env = std::getenv("DOCKER_HOST");
    host_ = env && *env ? env : "unix:///var/run/docker.sock";
  }
  if (host_.rfind("unix://", 0) == 0) {
    socket_path_ = host_.substr(7);
    base_url_ = "http://localhost";
  } else if (host_.rfind("tcp://", 0) == 0) {
    base_url_ = "http://" + host_.substr(6);
  } else {
    base_url_ = host_;
  }
}

Result<HttpReply> DockerClient::Request(const std::string& method, const std::string& path, const std::string& body,
                                        long timeout_s) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return Status::Fail("docker: cannot initialise libcurl");
  HttpReply reply;
  std::string url = base_url_ + kApi + path;
  SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!socket_path_.empty()) curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return Status::Fail("docker engine at " + host_ + " does not answer: " + curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

namespace {
struct StreamState {
  const std::function<void(const std::string&)>* on_line;
  const std::atomic<bool>* stop;
  std::string pending;
};

size_t StreamWrite(char* data, size_t size, size_t n, void* p) {
  auto* st = static_cast<StreamState*>(p);
  st->pending.append(data, size * n);
  size_t nl;
  while ((nl = st->pending.find('\n')) != std::string::npos) {
    std::string line = st->pending.substr(0, nl);
    st->pending.erase(0, nl + 1);
    if (!line.empty()) (*st->on_line)(line);
  }
  return size * n;
}

int StreamProgress(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<StreamState*>(p)->stop->load() ? 1 : 0;  // non-zero aborts the transfer
}
}  // namespace

Status DockerClient::StreamRequest(const std::string& method, const std::string& path,
                                   const std::function<void(const std::string&)>& on_line,
                                   const std::atomic<bool>& stop, long timeout_s, long* http_status) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return Status::Fail("cannot initialise libcurl");
  StreamState st{&on_line, &stop, ""};
  std::string url = base_url_ + kApi + path;
  SlistPtr headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!socket_path_.empty()) curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, StreamWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, StreamProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &st);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  if (timeout_s > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
  CURLcode rc = curl_easy_perform(c);
  if (!st.pending.empty()) on_line(st.pending);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http_status);
  return rc == CURLE_OK ? Status::Ok() : Status::Fail(curl_easy_strerror(rc));
}

Status DockerClient::Stream(const std::string& path, const std::function<void(const std::string&)>& on_line,
                            const std::atomic<bool>& stop) {
  long status = 0;
  Status s = StreamRequest("GET", path, on_line, stop, 0, &status);
  if (stop.load()) return Status::Ok();
  if (!s) return Status::Fail("docker event stream from " + host_ + ": " + s.message());
  if (status != 200) return Status::Fail("docker event stream from " + host_ + ": HTTP " + std::to_string(status));
  return Status::Fail("docker event stream from " + host_ + " ended");
}

Status DockerClient::Failure(const std::string& what, const HttpReply& r) {
  std::string msg = r.body;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("message")) msg = j["message"].get<std::string>();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  return Status::Fail(what + ": " + msg + " (HTTP " + std::to_string(r.status) + ")");
}

namespace {
Result<nlohmann::json> ParseJson(const std::string& what, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return Status::Fail(what + ": the engine's reply is not JSON");
  return j;
}
}  // namespace

Result<nlohmann::json> DockerClient::Version() {
  auto r = Request("GET", "/version", "", 10);
  if (!r) return r.status();
  if (r->status != 200) return Failure("docker version", *r);
  return ParseJson("docker version", r->body);
}

Result<nlohmann::json> DockerClient::Info() {
  auto r = Request("GET", "/info", "", 10);
  if (!r) return r.status();
  if (r->status != 200) return Failure("docker info", *r);
  return ParseJson("docker info", r->body);
}

Result<nlohmann::json> DockerClient::ListContainers(const std::map<std::string, std::string>& labels, bool all) {
  nlohmann::json filters = nlohmann::json::object();
  for (const auto& [k, v] : labels) filters["label"].push_back(v.empty() ? k : k + "=" + v);
  std::string path = std::string("/containers/json?all=") + (all ? "1" : "0");
  if (!labels.empty()) path += "&filters=" + UrlEncode(filters.dump());
  auto r = Request("GET", path);
  if (!r) return r.status();
  if (r->status != 200) return Failure("list containers", *r);
  return ParseJson("list containers", r->body);
}

Result<std::set<std::string>> DockerClient::ContainerNames() {
  auto list = ListContainers({}, true);
  if (!list) return list.status();
  std::set<std::string> out;
  for (const auto& summary : *list)
    if (auto names = summary.find("Names"); names != summary.end() && names->is_array())
      for (const auto& n : *names)
        if (n.is_string()) out.insert(n.get<std::string>().substr(n.get<std::string>().rfind('/') + 1));
  return out;
}

Result<nlohmann::json> DockerClient::InspectContainer(const std::string& id) {
  auto r = Request("GET", "/containers/" + UrlEncode(id) + "/json");
  if (!r) return r.status();
  if (r->status == 404) return nlohmann::json(nullptr);
  if (r->status != 200) return Failure("inspect container " + id, *r);
  return ParseJson("inspect container " + id, r->body);
}

Result<std::string> DockerClient::CreateContainer(const std::string& name, const nlohmann::json& body,
                                                  const std::string& platform) {
  std::string path = "/containers/create?name=" + UrlEncode(name);
  if (!platform.empty()) path += "&platform=" + UrlEncode(platform);
  auto r = Request("POST", path, body.dump());
  if (!r) return r.status();
  if (r->status != 201) return Failure("create container " + name, *r);
  auto j = ParseJson("create container " + name, r->body);
  if (!j) return j.status();
  return (*j)["Id"].get<std::string>();
}

Status DockerClient::StartContainer(const std::string& id) {
  auto r = Request("POST", "/containers/" + UrlEncode(id) + "/start");
  if (!r) return r.status();
  if (r->status != 204 && r->status != 304) return Failure("start container " + id, *r);
  return Status::Ok();
}

Status DockerClient::StopContainer(const std::string& id, int timeout_s) {
  auto r = Request("POST", "/containers/" + UrlEncode(id) + "/stop?t=" + std::to_string(timeout_s), "", timeout_s + 60);
  if (!r) return r.status();
  if (r->status != 204 && r->status != 304) return Failure("stop container " + id, *r);
  return Status::Ok();
}

Status DockerClient::RemoveContainer(const std::string& id, bool force) {
  auto r = Request("DELETE", "/containers/" + UrlEncode(id) + "?v=1&force=" + (force ? "1" : "0"));
  if (!r) return r.status();
  if (r->status != 204 && r->status != 404) return Failure("remove container " + id, *r);
  return Status::Ok();
}

Result<ExecResult> DockerClient::Exec(const std::string& id, const std::vector<std::string>& argv) {
  nlohmann::json create = {{"Cmd", argv}, {"AttachStdout", true}, {"AttachStderr", true}, {"Tty", false}};
  auto r = Request("POST", "/containers/" + UrlEncode(id) + "/exec", create.dump());
  if (!r) return r.status();
  if (r->status != 201) return Failure("exec in " + id, *r);
  auto j = ParseJson("exec in " + id, r->body);
  if (!j) return j.status();
  std::string exec_id = (*j)["Id"];
  auto s = Request("POST", "/exec/" + exec_id + "/start", R"({"Detach":false,"Tty":false})", 600);
  if (!s) return s.status();
  if (s->status != 200) return Failure("exec in " + id, *s);
  ExecResult result;
  result.output = Demux(s->body);
  auto i = Request("GET", "/exec/" + exec_id + "/json");
  if (!i) return i.status();
  auto ij = ParseJson("exec inspect", i->body);
  if (!ij) return ij.status();
  if ((*ij).contains("ExitCode") && (*ij)["ExitCode"].is_number()) result.exit_code = (*ij)["ExitCode"];
  return result;
}

Result<nlohmann::json> DockerClient::InspectImage(const std::string& ref) {
  auto r = Request("GET", "/images/" + UrlEncode(ref) + "/json");
  if (!r) return r.status();
  if (r->status == 404) return nlohmann::json(nullptr);
  if (r->status != 200) return Failure("inspect image " + ref, *r);
  return ParseJson("inspect image " + ref, r->body);
}

Status DockerClient::PullImage(const std::string& ref, const std::string& platform,
                               const std::function<void(const nlohmann::json&)>& on_progress) {
  std::string image = ref, tag;
  size_t at = ref.find('@');
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (at == std::string::npos && colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    image = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
  }
  std::string path = "/images/create?fromImage=" + UrlEncode(image);
  if (!tag.empty()) path += "&tag=" + UrlEncode(tag);
  if (!platform.empty()) path += "&platform=" + UrlEncode(platform);
  // The progress stream is read as it comes; errors after the pull started arrive inside it,
  // as {"error": "..."}.
  std::string error, first;
  std::function<void(const std::string&)> on_line = [&](const std::string& line) {
    if (first.size() < 4096) first += line + "\n";
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return;
    if (j.contains("error") && j["error"].is_string()) error = j["error"].get<std::string>();
    if (on_progress) on_progress(j);
  };
  std::atomic<bool> stop{false};
  long status = 0;
  Status s = StreamRequest("POST", path, on_line, stop, 1800, &status);
  if (!s) return Status::Fail("docker engine at " + host_ + " does not answer: " + s.message());
  if (status != 200) return Failure("pull image " + ref, HttpReply{status, first});
  if (!error.empty()) return Status::Fail("pull image " + ref + ": " + error);
  return Status::Ok();
}

Result<nlohmann::json> DockerClient::InspectNetwork(const std::string& name) {
  auto r = Request("GET", "/networks/" + UrlEncode(name));
  if (!r) return r.status();
  if (r->status == 404) return nlohmann::json(nullptr);
  if (r->status != 200) return Failure("inspect network " + name, *r);
  return ParseJson("inspect network " + name, r->body);
}

Result<std::string> DockerClient::CreateNetwork(const nlohmann::json& body) {
  std::string name = body.value("Name", "");
  auto r = Request("POST", "/networks/create", body.dump());
  if (!r) return r.status();
  if (r->status != 201) return Failure("create network " + name, *r);
  auto j = ParseJson("create network " + name, r->body);
  if (!j) return j.status();
  return (*j)["Id"].get<std::string>();
}

Result<bool> DockerClient::RemoveNetwork(const std::string& id) {
  auto r = Request("DELETE", "/networks/" + UrlEncode(id));
  if (!r) return r.status();
  if (r->status == 403) return false;
  if (r->status != 204 && r->status != 404) return Failure("remove network " + id, *r);
  return true;
}

}  // namespace lk
