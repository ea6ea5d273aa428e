// `labkeeper run --dir DIR`: the controller, until SIGTERM or SIGINT.
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <tuple>

#include "api/strings.h"
#include "controller/cli.h"
#include "controller/cli_engine.h"
#include "controller/controller.h"
#include "controller/controller_api.h"
#include "controller/git_source.h"
#include "controller/http_server.h"
#include "controller/sources.h"
#include "controller/version.h"

namespace lk {
namespace {

std::string Timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The API's bearer token: "" without a file; nullopt (said why) when it cannot be used.
std::optional<std::string> ServerToken(const std::string& listen, const std::string& token_file) {
  // Writes will need a bearer token off loopback; refuse to expose the controller without one.
  if (!IsLoopbackListen(listen) && token_file.empty()) {
    std::cerr << "labkeeper run: --listen " << listen << " is not a loopback address; give --token-file too\n";
    return std::nullopt;
  }
  std::string token;
  if (token_file.empty()) return token;
  std::ifstream in(token_file);
  if (!std::getline(in, token) || token.empty()) {
    std::cerr << "labkeeper run: --token-file " << token_file << ": cannot read a token from it\n";
    return std::nullopt;
  }
  return token;
}

int Run(ControllerOptions opts, const std::string& listen, const std::string& token_file, GitSourceOptions git) {
  auto token = ServerToken(listen, token_file);
  if (!token) return 2;
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::mutex out_mu;
  auto log = [&](const std::string& line) {
    std::lock_guard l(out_mu);
    std::printf("%s %s\n", Timestamp().c_str(), line.c_str());
    std::fflush(stdout);
  };
  auto world = Connect();
  if (!world) return 1;
  // --git: labkeeper's own checkout in --dir, fetched before the first pass.
  std::atomic<Controller*> started{nullptr};
  std::unique_ptr<GitSource> source;
  if (!git.url.empty()) {
    git.dir = opts.dir;
    source = std::make_unique<GitSource>(git, log, [&] {
      if (Controller* c = started.load()) c->Rescan();
    });
    if (Status s = source->Start(); !s) {
      std::cerr << "labkeeper run: " << s.message() << "\n";
      return 1;
    }
    opts.source_state = [&source] { return source->Current(); };
  }
  opts.revisions = std::make_shared<GitRevisions>();
  auto sources = MakeHostSources(opts.dir, opts.debounce, world->docker, *world->env, log);
  Controller controller(*world->runtime, *world->links, *world->env, sources.get(), opts, log);
  ControllerApi api(controller);
  HttpServer http(listen, api, ApiOptions{*token, IsLoopbackListen(listen)});
  if (Status s = http.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  if (Status s = controller.Start(); !s) {
    std::cerr << "labkeeper run: " << s.message() << "\n";
    return 1;
  }
  started = &controller;
  log("labkeeper " + std::string(kVersion) + " watching " + opts.dir + " (" + std::to_string(opts.workers) +
      " workers, status in " + opts.state_dir + "/status.json, API on http://" + listen +
      "/api/v1/labs, metrics on /metrics" + (token->empty() ? "" : ", writes need the bearer token") + ")");
  int sig = 0;
  sigwait(&set, &sig);
  log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
      "; finishing in-flight actions, labs stay up");
  started = nullptr;
  if (source) source->Stop();
  controller.Stop();
  http.Stop();
  log("stopped");
  return 0;
}

// Where the labs come from: --dir, and --git with the options that go with it.
void AddSourceFlags(CLI::App* run, std::string* dir, GitSourceOptions* git, std::string* interval) {
  run->add_option("--dir", *dir,
                  "directory of *.clab.yml and *.lab.yml files (searched recursively); with --git, where labkeeper "
                  "keeps its checkout")
      ->required();
  run->add_option("--git", git->url,
                  "a git repository of lab files (URL or path) to reconcile from: fetched into --dir every "
                  "--git-interval, each new commit switched to at once; lab directories go to DIR/.labdirs "
                  "unless CLAB_LABDIR_BASE is set");
  run->add_option("--git-ref", git->ref, "with --git: the branch, tag or commit to follow")->capture_default_str();
  run->add_option("--git-interval", *interval, "with --git: how often to fetch (10s, 1m)")->capture_default_str();
  run->add_option("--git-path", git->path,
                  "with --git: the directory of the repository holding the labs (default: all of it)");
}

// --git's options checked; the lab directories' default set. False (said why) when they are bad.
bool CheckGit(GitSourceOptions* git, const std::string& interval, const std::string& dir) {
  auto every = ParseDuration(interval);
  if (!every || *every < std::chrono::seconds(1)) {
    std::cerr << "labkeeper run: --git-interval: " << (every ? "at least 1s" : every.error()) << "\n";
    return false;
  }
  git->interval = std::chrono::duration_cast<std::chrono::milliseconds>(*every);
  if (git->path.find("..") != std::string::npos || (!git->path.empty() && git->path[0] == '/')) {
    std::cerr << "labkeeper run: --git-path: a relative path inside the repository\n";
    return false;
  }
  if (!std::getenv("CLAB_LABDIR_BASE")) setenv("CLAB_LABDIR_BASE", (dir + "/.labdirs").c_str(), 1);
  return true;
}

// This controller's id; for labs across hosts, where the other hosts are and the tunnels' port.
void AddHostFlags(CLI::App* run, std::string* host_id, std::vector<std::string>* peers, std::string* host_address,
                  int* port, int* underlay_mtu) {
  run->add_option("--host-id", *host_id,
                  "this controller's id, written as label labkeeper.dev/owner (default: host name); it reconciles "
                  "only the labs placed on it (spec.host, node label labkeeper.dev/host) and, with --unplaced take, "
                  "those placed on no host");
  run->add_option("--peer", *peers,
                  "HOST_ID=ADDRESS: another host's underlay address, for the VXLAN tunnels of labs spread over "
                  "hosts (repeatable; a Lab resource's spec.hosts wins for its lab)");
  run->add_option("--host-address", *host_address, "this host's underlay address (its entry in the host table)");
  run->add_option("--vxlan-port", *port, "the UDP port of the tunnels between hosts")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  run->add_option("--underlay-mtu", *underlay_mtu,
                  "the MTU of the path between hosts: a tunnel's status says whether its link's frames cross whole")
      ->check(CLI::Range(576, 65535))
      ->capture_default_str();
}

// --peer HOST=ADDRESS and --host-address into the host table; false (said why) when one is bad.
// --resync and --deep-resync (docs/controller.md: quiet resyncs).
void AddResyncFlags(CLI::App* run, std::string* resync, std::string* deep) {
  run->add_option("--resync", *resync, "periodic reconcile of every lab, as a safety net (500ms, 30s, 5m)")
      ->capture_default_str();
  run->add_option("--deep-resync", *deep,
                  "a lab the event sources cover fully is looked at whole by a resync at least this often; between, "
                  "a resync of a lab nothing has touched since its last in-sync pass makes no engine or kernel call "
                  "(0: every resync is whole)")
      ->capture_default_str();
}

bool TakeResync(const std::string& resync, const std::string& deep, ControllerOptions* opts) {
  for (auto [flag, text, out] :
       {std::tuple{"--resync", &resync, &opts->resync}, std::tuple{"--deep-resync", &deep, &opts->deep_resync}}) {
    if (out == &opts->deep_resync && *text == "0") {  // every resync whole
      *out = Duration::zero();
      continue;
    }
    auto d = ParseDuration(*text);
    if (!d) {
      std::cerr << "labkeeper run: " << flag << ": " << d.error() << "\n";
      return false;
    }
    *out = *d;
  }
  return true;
}

bool TakePeers(const std::vector<std::string>& peers, const std::string& own, ControllerOptions* opts) {
  auto address = [](const std::string& s) {
    in6_addr buf{};
    return inet_pton(AF_INET, s.c_str(), &buf) == 1 || inet_pton(AF_INET6, s.c_str(), &buf) == 1;
  };
  for (const auto& p : peers) {
    size_t eq = p.find('=');
    std::string id = p.substr(0, eq), addr = eq == std::string::npos ? "" : p.substr(eq + 1);
    if (id.empty() || !address(addr)) {
      std::cerr << "labkeeper run: --peer " << p << ": expected HOST_ID=ADDRESS (an IPv4 or IPv6 address)\n";
      return false;
    }
    opts->peers[id] = addr;
  }
  if (own.empty()) return true;
  if (!address(own)) {
    std::cerr << "labkeeper run: --host-address " << own << ": not an IP address\n";
    return false;
  }
  opts->host_address = own;  // the controller files it under its own host id
  return true;
}

}  // namespace

CliCommand AddRunCommand(CLI::App& app) {
  struct Args {
    ControllerOptions opts;
    std::string resync = "30s", deep_resync = "5m", listen = "127.0.0.1:9580", token_file, unplaced = "take";
    GitSourceOptions git;
    std::string git_interval = "30s";
    std::vector<std::string> peers;
    std::string host_address;
  };
  auto a = std::make_shared<Args>();
  auto* run =
      app.add_subcommand("run", "The controller: watch a directory of lab files and keep every lab converged, forever");
  run->add_option("--listen", a->listen,
                  "ADDR:PORT of the HTTP listener (the live page /ui/, /api/v1, /metrics, /healthz, /readyz)")
      ->capture_default_str();
  run->add_option("--token-file", a->token_file,
                  "bearer token for the API's writes (and for every API call off loopback); required when --listen "
                  "is not loopback");
  run->add_option("--state-dir", a->opts.state_dir,
                  "where status.json and the API's suspensions (suspended.json) are kept")
      ->capture_default_str();
  AddResyncFlags(run, &a->resync, &a->deep_resync);
  run->add_option("--workers", a->opts.workers, "labs reconciled in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--max-workers", a->opts.max_workers, "containers created in parallel within a lab")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--emulation", a->opts.emulation,
                  "nodes whose image is not the engine's architecture: allow, warn or deny (a Lab resource's "
                  "spec.emulation overrides it for its lab)")
      ->check(CLI::IsMember({"allow", "warn", "deny"}))
      ->capture_default_str();
  run->add_flag("--adopt", a->opts.adopt,
                "take over running containerlab labs of the watched files (as apply --adopt), on every pass and "
                "after a restart; a Lab resource's spec.adopt asks it for its lab");
  run->add_option("--unplaced", a->unplaced,
                  "a lab placed on no host (no spec.host, no labkeeper.dev/host label): take it, or ignore it "
                  "(for several controllers sharing the labs)")
      ->check(CLI::IsMember({"take", "ignore"}))
      ->capture_default_str();
  AddNameFlags(run, &a->opts.artifacts);
  AddSourceFlags(run, &a->opts.dir, &a->git, &a->git_interval);
  AddHostFlags(run, &a->opts.owner, &a->peers, &a->host_address, &a->opts.vxlan_port, &a->opts.underlay_mtu);
  return {run, [a] {
            if (!TakeResync(a->resync, a->deep_resync, &a->opts)) return 2;
            a->opts.take_unplaced = a->unplaced == "take";
            if (!a->git.url.empty() && !CheckGit(&a->git, a->git_interval, a->opts.dir)) return 2;
            if (!TakePeers(a->peers, a->host_address, &a->opts)) return 2;
            return Run(a->opts, a->listen, a->token_file, a->git);
          }};
}

}  // namespace lk
