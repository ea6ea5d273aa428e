#include "controller/firewall.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "api/strings.h"

namespace lk {
namespace {

// Runs iptables with these arguments (no shell), returns its exit code and output.
int Iptables(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::string cmd = "iptables -w";
  for (const auto& a : args) cmd += " '" + a + "'";  // callers pass names checked by the parser
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  std::string text;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int rc = pclose(p);
  if (out) *out = text;
  return rc;
}

std::string Comment(const std::string& lab) {
  return "labkeeper lab=" + lab;
}

}  // namespace

Status AllowBridgeForwarding(const std::string& lab, const std::string& bridge) {
  if (Iptables({"-S", "DOCKER-USER"}) != 0) return Status::Ok();
  std::vector<std::string> rule = {"DOCKER-USER", "-i",        bridge,       "-o", bridge,  "-m",
                                   "comment",     "--comment", Comment(lab), "-j", "ACCEPT"};
  std::vector<std::string> check = {"-C"};
  check.insert(check.end(), rule.begin(), rule.end());
  if (Iptables(check) == 0) return Status::Ok();
  std::vector<std::string> insert = {"-I"};
  insert.insert(insert.end(), rule.begin(), rule.end());
  std::string out;
  if (Iptables(insert, &out) != 0)
    return Status::Fail("allow forwarding on bridge " + bridge + " (iptables): " + Trim(out));
  return Status::Ok();
}

Status RemoveBridgeRules(const std::string& lab) {
  std::string rules;
  if (Iptables({"-S", "DOCKER-USER"}, &rules) != 0) return Status::Ok();
  std::string marker = "--comment \"" + Comment(lab) + "\"";
  std::istringstream lines(rules);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(marker) == std::string::npos || !StartsWith(line, "-A DOCKER-USER ")) continue;
    auto args = ShellSplit(line.substr(3));
    if (!args) continue;
    std::vector<std::string> del = {"-D"};
    del.insert(del.end(), args->begin(), args->end());
    std::string out;
    if (Iptables(del, &out) != 0) return Status::Fail("remove bridge rule (iptables): " + Trim(out));
  }
  return Status::Ok();
}

}  // namespace lk
