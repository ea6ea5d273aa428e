// A lab from YAML text, for the in-process tests: what the loader makes of it (no environment
// variables), any error failing the calling test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "api/topology_codec.h"

namespace lk::test {

inline LabSpec LabOf(const std::string& yaml, const std::string& path = "/labs/x.clab.yml") {
  std::map<std::string, std::string> env;
  auto r = LoadTopologyText(yaml, path, &env);
  EXPECT_TRUE(r.ok()) << r.ErrorText();
  return r.ok() ? *r.lab : LabSpec{};
}

}  // namespace lk::test
