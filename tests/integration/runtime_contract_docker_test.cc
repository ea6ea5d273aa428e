// The runtime contract against the real Docker engine (labkeeper.dev/busybox:test, from
// images/build.sh). Every container and network the suite makes is labelled and removed.
#include <gtest/gtest.h>

#include "controller/docker_runtime.h"
#include "tests/contract/runtime_contract.h"
#include "tests/support/support.h"

namespace lk::test {
namespace {

struct DockerEnv {
  DockerEnv() : env(MakePosixEnv()), rt(MakeDockerRuntime(std::make_shared<DockerClient>(), *env)) {}
  ~DockerEnv() {
    if (auto list = rt->List({{"labkeeper.dev/test", "contract"}}); list.ok())
      for (const auto& c : *list) rt->Remove(c.id);
    Sh("docker network ls -q --filter label=lktest-owner | xargs -r docker network rm >/dev/null 2>&1");
  }
  ContainerRuntime& runtime() { return *rt; }
  std::string image() { return kBusyboxImage; }
  std::unique_ptr<Env> env;  // the runtime's clock and sleep
  std::unique_ptr<ContainerRuntime> rt;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Docker, RuntimeContract, DockerEnv);

}  // namespace
}  // namespace lk::test
