// The event sources contract against the fake.
#include <unistd.h>

#include "tests/contract/sources_contract.h"
#include "tests/fakes/fake_sources.h"

namespace lk::test {
namespace {

class FakeSourcesEnv {
 public:
  std::string Unavailable() const { return ""; }
  EventSources& sources() { return sources_; }
  void ChangeDir() { sources_.FireDir(); }
  void ChangeLabContainer(const std::string& lab) { sources_.FireLab(lab); }
  std::pair<std::string, int> Namespace() { return {"fake-container", 4242}; }
  void ChangeLinksIn(int pid) { sources_.FireNamespace(pid); }
  void ChangeAddressesIn(int pid) { sources_.FireNamespace(pid); }
  void ChangeQdiscsIn(int pid) { sources_.FireNamespace(pid); }

 private:
  FakeSources sources_;
};

using Envs = ::testing::Types<FakeSourcesEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, SourcesContract, Envs);

}  // namespace
}  // namespace lk::test
