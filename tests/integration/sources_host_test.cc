// The event sources contract against the real ones: inotify on a directory of the test's own,
// the Docker engine's events for a labelled container the test makes and removes, and netlink
// link, address and qdisc events in a network namespace of the test's own, held by a process the
// test starts.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <thread>

#include "controller/sources.h"
#include "tests/contract/sources_contract.h"
#include "tests/support/support.h"

namespace lk::test {
namespace {

class HostSourcesEnv {
 public:
  HostSourcesEnv() {
    if (geteuid() != 0 || !EngineAnswers()) return;
    sources_ = MakeHostSources(dir_.path(), std::chrono::milliseconds(100), std::make_shared<DockerClient>(), *env_,
                               [](const std::string&) {});
  }
  ~HostSourcesEnv() {
    if (sources_) sources_->Stop();
    Sh("docker ps -aq --filter label=labkeeper.dev/test=sources | xargs -r docker rm -f >/dev/null 2>&1");
    if (holder_ > 0) {
      kill(holder_, SIGKILL);
      waitpid(holder_, nullptr, 0);
    }
  }
  std::string Unavailable() const { return sources_ ? "" : "needs root (namespaces) and a Docker engine (its events)"; }
  EventSources& sources() { return *sources_; }
  void ChangeDir() { std::ofstream(dir_.path() + "/x" + std::to_string(++pokes_) + ".clab.yml") << "name: x\n"; }
  void ChangeLabContainer(const std::string& lab) {
    // Labelled only as containerlab labels a lab's containers (the event stream's filter: an
    // adopted lab's carry no other; labkeeper's own carry it too), and as this test's own.
    Sh("docker run -d --network none --label containerlab=" + lab + " --label labkeeper.dev/test=sources " +
       std::string(kBusyboxImage) + " true >/dev/null 2>&1");
  }
  std::pair<std::string, int> Namespace() {
    ns_ = std::make_unique<ScopedNetns>("lktest-src-" + std::to_string(getpid()));
    holder_ = fork();
    if (holder_ == 0) {
      if (setns(ns_->ns().fd(), CLONE_NEWNET) != 0) _exit(1);
      execlp("sleep", "sleep", "600", static_cast<char*>(nullptr));
      _exit(1);
    }
    // The child enters the namespace after fork returns here: wait until it has (the same inode).
    struct stat want {
    }, got{};
    stat(("/run/netns/" + ns_->name()).c_str(), &want);
    for (int i = 0; i < 500; ++i) {
      if (stat(("/proc/" + std::to_string(holder_) + "/ns/net").c_str(), &got) == 0 && got.st_ino == want.st_ino) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {"holder", holder_};
  }
  void ChangeLinksIn(int /*pid*/) {
    std::string n = std::to_string(++pokes_);
    Sh("ip -n " + ns_->name() + " link add lkc" + n + " type veth peer name lkd" + n + " >/dev/null 2>&1");
  }
  // An address on the namespace's own loopback (TEST-NET-3, never routed anywhere).
  void ChangeAddressesIn(int /*pid*/) {
    Sh("ip -n " + ns_->name() + " addr add 203.0.113." + std::to_string(++pokes_ % 250 + 1) +
       "/32 dev lo >/dev/null 2>&1");
  }
  // The root qdisc of the namespace's loopback, replaced (tbf, which this kernel has): no link or
  // address changes with it.
  void ChangeQdiscsIn(int /*pid*/) {
    Sh("tc -n " + ns_->name() + " qdisc replace dev lo root tbf rate " + std::to_string(++pokes_ % 100 + 1) +
       "mbit burst 32kb latency 400ms >/dev/null 2>&1");
  }

 private:
  TempDir dir_;
  std::unique_ptr<Env> env_ = MakePosixEnv();  // before sources_: they keep it
  std::unique_ptr<EventSources> sources_;
  std::unique_ptr<ScopedNetns> ns_;
  pid_t holder_ = -1;
  int pokes_ = 0;
};

using Envs = ::testing::Types<HostSourcesEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Host, SourcesContract, Envs);

}  // namespace
}  // namespace lk::test
