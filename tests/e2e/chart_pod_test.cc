// The chart's pod, really run. No Kubernetes API server can run here, so this test does the
// kubelet's part by hand: it renders charts/labkeeper with `helm template`, takes the
// DaemonSet's pod spec and runs its container on the Docker engine with the same image, command,
// args ($(VAR) expanded from the env as the kubelet does), env (the node's name from the downward
// API), mounts (hostPath volumes as binds; the ConfigMap and the Secret as directories laid out as
// the kubelet lays them out: a timestamped directory, the `..data` symlink, a symlink per key),
// host network and host PID, and privileges (privileged, or on an engine that cannot grant it,
// every capability it can with seccomp and AppArmor off, as labkeeper does for privileged nodes).
// The pod reconciles the lab placed on its node, picks up an atomic ConfigMap update, repairs a
// deleted link, and leaves alone the labs placed on another node and on none. lktest-chart-*.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "tests/support/support.h"

namespace lk {
namespace {

namespace fs = std::filesystem;
using test::Sh;
using test::Trim;

constexpr char kPodNode[] = "lktest-chart-node1";
constexpr char kPod[] = "lktest-chart-pod";
constexpr int kPodPort = 29590;
constexpr int kPodGitPort = 29419;

std::string Helm() {
  const char* h = std::getenv("LABKEEPER_HELM");
  return h && *h ? h : "/usr/local/lib/labkeeper/k8s-tools/bin/helm";
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A ConfigMap or Secret volume as the kubelet keeps it: DIR/..TIMESTAMP/KEY files, DIR/..data ->
// ..TIMESTAMP, DIR/KEY -> ..data/KEY. An update writes a new timestamped directory, renames a new
// ..data link over the old one, then fixes the key links and removes the old directory.
class KubeletVolume {
 public:
  explicit KubeletVolume(std::string dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }
  void Write(const std::map<std::string, std::string>& data) {
    std::string ts = "..2026_12_06_00_00_00." + std::to_string(++generation_);
    fs::create_directories(dir_ + "/" + ts);
    for (const auto& [key, text] : data) std::ofstream(dir_ + "/" + ts + "/" + key) << text;
    fs::create_symlink(ts, dir_ + "/..data_tmp");
    fs::rename(dir_ + "/..data_tmp", dir_ + "/..data");
    for (const auto& [key, text] : data)
      if (!fs::is_symlink(dir_ + "/" + key)) fs::create_symlink("..data/" + key, dir_ + "/" + key);
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string name = e.path().filename().string();
      if (name.rfind("..", 0) != 0 && !data.count(name)) fs::remove(e.path());
    }
    if (!old_.empty()) fs::remove_all(dir_ + "/" + old_);
    old_ = ts;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, old_;
  int generation_ = 0;
};

YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind) {
  for (const auto& d : docs)
    if (d["kind"] && d["kind"].as<std::string>() == kind) return d;
  return YAML::Node();
}

// The kubelet's $(VAR) expansion of a command or an argument.
std::string Expand(std::string s, const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env)
    for (size_t at; (at = s.find("$(" + k + ")")) != std::string::npos;) s.replace(at, k.size() + 3, v);
  return s;
}

class ChartPod : public test::LabDirTest {
 protected:
  // `docker run` of the DaemonSet's labkeeper container, as the kubelet would start it.
  std::string DockerRun(const YAML::Node& pod, const std::map<std::string, std::string>& volume_dirs) {
    YAML::Node c;
    for (const auto& x : pod["containers"])
      if (x["name"].as<std::string>() == "labkeeper") c.reset(x);
    std::map<std::string, std::string> env;
    std::string cmd = std::string("docker run -d --name ") + kPod + " --label labkeeper.dev/test=1";
    if (pod["hostNetwork"].as<bool>(false)) cmd += " --network host";
    if (pod["hostPID"].as<bool>(false)) cmd += " --pid host";
    for (const auto& e : c["env"]) {
      std::string name = e["name"].as<std::string>(), value;
      if (e["value"])
        value = e["value"].as<std::string>();
      else if (e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "spec.nodeName")
        value = kPodNode;
      else if (e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "status.hostIP")
        value = "127.0.0.1";  // the node's address; only written in the host table here
      else
        ADD_FAILURE() << "the pod spec asks the downward API for something this test does not give: " << e;
      env[name] = value;
      cmd += " -e " + Quote(name + "=" + value);
    }
    std::map<std::string, YAML::Node> volumes;
    for (const auto& v : pod["volumes"])
      volumes.emplace(v["name"].as<std::string>(), static_cast<const YAML::Node&>(v));
    for (const auto& m : c["volumeMounts"]) {
      const YAML::Node& v = volumes[m["name"].as<std::string>()];
      std::string from =
          v["hostPath"] ? v["hostPath"]["path"].as<std::string>() : volume_dirs.at(m["name"].as<std::string>());
      bool ro = m["readOnly"].as<bool>(false) || v["configMap"] || v["secret"];
      cmd += " -v " + Quote(from + ":" + m["mountPath"].as<std::string>() + (ro ? ":ro" : ""));
    }
    if (c["securityContext"]["privileged"].as<bool>(false)) cmd += " @PRIVILEGED@";
    cmd += " --entrypoint " + Quote(Expand(c["command"][0].as<std::string>(), env));
    cmd += " " + c["image"].as<std::string>();
    for (size_t i = 1; i < c["command"].size(); ++i) cmd += " " + Quote(Expand(c["command"][i].as<std::string>(), env));
    for (const auto& a : c["args"]) cmd += " " + Quote(Expand(a.as<std::string>(), env));
    return cmd;
  }
  // `helm template` of the chart with these values (YAML text), its documents.
  std::vector<YAML::Node> Render(const std::string& values_text) {
    std::string values = dir_.path() + "/values-" + std::to_string(++renders_) + ".yaml";
    std::ofstream(values) << values_text;
    int st = 1;
    std::string out =
        Sh(Helm() + " template lab " + test::SourceDir() + "/charts/labkeeper -f " + values + " 2>&1", &st);
    EXPECT_EQ(st, 0) << out;
    return st == 0 ? YAML::LoadAll(out) : std::vector<YAML::Node>();
  }
  // A Secret's or ConfigMap's data (a Secret's decoded).
  static std::map<std::string, std::string> Data(const YAML::Node& doc) {
    std::map<std::string, std::string> data;
    bool secret = doc["kind"].as<std::string>() == "Secret";
    for (const auto& kv : doc["data"])
      data[kv.first.as<std::string>()] =
          secret ? Sh("printf %s " + Quote(kv.second.as<std::string>()) + " | base64 -d") : kv.second.as<std::string>();
    return data;
  }
  // The DaemonSet's pod started; "" or why not.
  std::string StartPod(const YAML::Node& ds, const std::map<std::string, std::string>& volume_dirs) {
    Sh(std::string("docker rm -f ") + kPod + " >/dev/null 2>&1");
    std::string run = DockerRun(ds["spec"]["template"]["spec"], volume_dirs);
    std::string privileged = run;
    privileged.replace(privileged.find("@PRIVILEGED@"), 12, "--privileged");
    int st = 1;
    std::string out = Sh(privileged + " 2>&1", &st);
    if (st != 0 && out.find("unable to apply caps") != std::string::npos) {
      Sh(std::string("docker rm -f ") + kPod + " >/dev/null 2>&1");
      std::string caps = "--cap-add ALL" + test::CapDropsForThisMachine() +
                         " --security-opt seccomp=unconfined --security-opt apparmor=unconfined";
      run.replace(run.find("@PRIVILEGED@"), 12, caps);
      out = Sh(run + " 2>&1", &st);
    }
    return st == 0 ? "" : out;
  }
  static std::string Logs() { return Sh(std::string("docker logs --tail 40 ") + kPod + " 2>&1"); }
  std::string CommonValues(const std::string& root) const {
    return "image: {repository: labkeeper.dev/labkeeper, tag: test, pullPolicy: Never}\n"
           "hostPaths: {root: " +
           root + "}\nlisten: {port: " + std::to_string(kPodPort) + "}\nresync: 5s\n";
  }
  int renders_ = 0;

  nlohmann::json Lab(const std::string& token, const std::string& lab) {
    auto j = nlohmann::json::parse(Sh("curl -s --max-time 10 -H " + Quote("Authorization: Bearer " + token) +
                                      " http://127.0.0.1:" + std::to_string(kPodPort) + "/api/v1/labs/" + lab),
                                   nullptr, false);
    return j.is_object() && j.contains("status") && j["status"].is_object() ? j : nlohmann::json::object();
  }
  static std::string Condition(const nlohmann::json& lab, const std::string& type) {
    if (!lab.contains("status")) return "";
    for (const auto& c : lab["status"]["conditions"])
      if (c["type"] == type) return c["status"].get<std::string>() + "/" + c["reason"].get<std::string>();
    return "";
  }
};

TEST_F(ChartPod, TheDaemonSetsPodReconcilesItsNodesLabFollowsTheConfigMapRepairsAndIgnoresOtherNodesLabs) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(fs::exists(Helm())) << Helm() << " is missing: scripts/k8s-tools.sh installs it";
  ASSERT_EQ(Sh("docker image inspect -f ok labkeeper.dev/labkeeper:test"), "ok\n")
      << "scripts/test.sh builds labkeeper's image with images/build-labkeeper-image.sh";
  test::LabGuard ga("lktest-chart-a"), gb("lktest-chart-b"), gc("lktest-chart-c");
  test::ContainerGuard remove(kPod);
  std::string root = dir_.path() + "/host";  // the chart's hostPaths.root, this test's own
  std::map<std::string, std::string> files = {
      {"a.clab.yml", test::BusyboxLab("lktest-chart-a", {"n1", "n2"}, kPodNode)},
      {"b.clab.yml", test::BusyboxLab("lktest-chart-b", {"n1"}, "lktest-chart-node2")},
      {"c.clab.yml", test::BusyboxLab("lktest-chart-c", {"n1"}, "")}};
  std::string values = CommonValues(root) + "configMap:\n  files:\n";
  for (const auto& [name, text] : files) {
    values += "    " + name + ": |\n";
    std::istringstream lines(text);
    for (std::string l; std::getline(lines, l);) values += "      " + l + "\n";
  }
  std::vector<YAML::Node> docs = Render(values);
  YAML::Node ds = Find(docs, "DaemonSet"), cm = Find(docs, "ConfigMap"), secret = Find(docs, "Secret");
  ASSERT_TRUE(ds.IsMap() && cm.IsMap() && secret.IsMap());
  // The ConfigMap's and the Secret's data, laid out as the kubelet does.
  KubeletVolume labs_volume(dir_.path() + "/volumes/labs"), token_volume(dir_.path() + "/volumes/token");
  std::map<std::string, std::string> cm_data = Data(cm), secret_data = Data(secret);
  ASSERT_EQ(cm_data.size(), 3u);
  labs_volume.Write(cm_data);
  token_volume.Write(secret_data);
  std::string token = secret_data.at("token");
  std::string error = StartPod(ds, {{"labs", labs_volume.dir()}, {"token", token_volume.dir()}});
  ASSERT_EQ(error, "");
  auto logs = [] { return Logs(); };

  // Its node's lab, reconciled; the others left alone and said why.
  ASSERT_TRUE(test::WaitFor([&] { return Condition(Lab(token, "lktest-chart-a"), "Ready") == "True/InSync"; },
                            test::kStartBound))
      << logs();
  EXPECT_EQ(Condition(Lab(token, "lktest-chart-b"), "Placed"), "False/PlacedElsewhere");
  EXPECT_EQ(Condition(Lab(token, "lktest-chart-c"), "Placed"), "False/Unplaced");
  EXPECT_TRUE(test::LabContainers("lktest-chart-b").empty());
  EXPECT_TRUE(test::LabContainers("lktest-chart-c").empty());
  EXPECT_EQ(Trim(Sh("docker inspect -f '{{index .Config.Labels \"labkeeper.dev/owner\"}}' clab-lktest-chart-a-n1")),
            kPodNode);
  EXPECT_TRUE(fs::exists(root + "/labdirs/clab-lktest-chart-a/topology-data.json")) << "the lab directory, on the host";
  EXPECT_TRUE(fs::exists(root + "/state/status.json"));
  EXPECT_EQ(Sh("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + std::to_string(kPodPort) + "/api/v1/labs"),
            "401")
      << "off loopback, the API wants the Secret's token";

  // An atomic ConfigMap update adds a node.
  cm_data["a.clab.yml"] = test::BusyboxLab("lktest-chart-a", {"n1", "n2", "n3"}, kPodNode);
  labs_volume.Write(cm_data);
  EXPECT_TRUE(test::WaitFor([] { return test::LabContainers("lktest-chart-a").count("clab-lktest-chart-a-n3") > 0; },
                            test::kPassBound))
      << logs();
  // A link deleted inside a node comes back.
  ASSERT_TRUE(test::Ifaces("clab-lktest-chart-a-n1").count("eth1"));
  Sh("docker exec clab-lktest-chart-a-n1 ip link del eth1");
  EXPECT_TRUE(test::WaitFor([] { return test::Ifaces("clab-lktest-chart-a-n1").count("eth1") > 0; }, test::kPassBound))
      << logs();
  EXPECT_TRUE(test::WaitFor([&] { return Condition(Lab(token, "lktest-chart-a"), "Ready") == "True/InSync"; },
                            test::kPassBound));
  EXPECT_TRUE(test::LabContainers("lktest-chart-b").empty());
  EXPECT_TRUE(test::LabContainers("lktest-chart-c").empty());
  std::string all = Sh(std::string("docker logs ") + kPod + " 2>&1");
  EXPECT_NE(all.find("watching /etc/labkeeper/labs"), std::string::npos) << all.substr(0, 2000);
}

// source: git: the pod keeps its own checkout of a repository (a git daemon on 127.0.0.1, reached
// over the host network), on the host path, and each lab's status names the commit applied.
TEST_F(ChartPod, WithSourceGitThePodReconcilesEachCommitOfARepositoryAndNamesIt) {
  ASSERT_TRUE(test::EngineAnswers());
  ASSERT_TRUE(fs::exists(Helm())) << Helm() << " is missing: scripts/k8s-tools.sh installs it";
  test::LabGuard guard("lktest-chart-g");
  test::ContainerGuard remove(kPod);
  std::string src = dir_.path() + "/src", served = dir_.path() + "/served", root = dir_.path() + "/host";
  Sh("git init -q -b main " + src);
  std::ofstream(src + "/g.clab.yml") << test::BusyboxLab("lktest-chart-g", {"n1"}, kPodNode);
  Sh("cd " + src + " && git add -A && " + test::kGitCommit + " -m first");
  std::string first = Trim(Sh("git -C " + src + " rev-parse HEAD"));
  Sh("mkdir -p " + served + " && git clone -q --bare " + src + " " + served + "/labs.git");
  test::GitDaemon daemon(served, kPodGitPort, dir_.path() + "/daemon.log");
  ASSERT_TRUE(daemon.Listens());
  std::vector<YAML::Node> docs =
      Render(CommonValues(root) + "source: git\ngit: {repository: 'git://127.0.0.1:" + std::to_string(kPodGitPort) +
             "/labs.git', interval: 2s}\ntoken: {value: lktest-chart-token}\n");
  YAML::Node ds = Find(docs, "DaemonSet"), secret = Find(docs, "Secret");
  ASSERT_TRUE(ds.IsMap() && secret.IsMap());
  EXPECT_FALSE(Find(docs, "ConfigMap").IsMap()) << "no ConfigMap with source: git";
  KubeletVolume token_volume(dir_.path() + "/volumes/token");
  token_volume.Write(Data(secret));
  ASSERT_EQ(StartPod(ds, {{"token", token_volume.dir()}}), "");
  auto applied = [&] {
    auto lab = Lab("lktest-chart-token", "lktest-chart-g");
    return lab.contains("status")
               ? lab["status"].value("source", nlohmann::json::object()).value("lastAppliedRevision", "")
               : std::string();
  };
  ASSERT_TRUE(test::WaitFor([&] { return applied() == first; }, test::kStartBound)) << Logs();
  EXPECT_EQ(Condition(Lab("lktest-chart-token", "lktest-chart-g"), "SourceFetched"), "True/Fetched");
  EXPECT_TRUE(fs::is_symlink(root + "/git/g.clab.yml")) << "the checkout, on the host path";
  std::ofstream(src + "/g.clab.yml") << test::BusyboxLab("lktest-chart-g", {"n1", "n2"}, kPodNode);
  Sh("cd " + src + " && " + test::kGitCommit + " -am second && git push -q " + served + "/labs.git main");
  std::string second = Trim(Sh("git -C " + src + " rev-parse HEAD"));
  EXPECT_TRUE(test::WaitFor([] { return test::LabContainers("lktest-chart-g").count("clab-lktest-chart-g-n2") > 0; },
                            test::kPassBound))
      << Logs();
  EXPECT_TRUE(test::WaitFor([&] { return applied() == second; }, test::kPassBound)) << Logs();
}

}  // namespace
}  // namespace lk
