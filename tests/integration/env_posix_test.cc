// The Env contract against the real host (files in a directory of the test's own), and the
// host shell's exit codes.
#include <unistd.h>

#include <filesystem>

#include "tests/contract/env_contract.h"

namespace lk::test {
namespace {

class PosixEnvWrap {
 public:
  PosixEnvWrap() : env_(MakePosixEnv()) {
    dir_ = std::filesystem::temp_directory_path() / ("lktest-env-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~PosixEnvWrap() { std::filesystem::remove_all(dir_); }
  Env& env() { return *env_; }
  std::string dir() { return dir_.string(); }

 private:
  std::unique_ptr<Env> env_;
  std::filesystem::path dir_;
};

using Envs = ::testing::Types<PosixEnvWrap>;
INSTANTIATE_TYPED_TEST_SUITE_P(Posix, EnvContract, Envs);

TEST(PosixEnv, AHostCommandGivesItsExitCodeAndBothStreams) {
  auto env = MakePosixEnv();
  ExecResult r = env->Shell("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  EXPECT_EQ(env->Shell("true").exit_code, 0);
}

}  // namespace
}  // namespace lk::test
