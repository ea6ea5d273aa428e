// containerlab's node fields, applied: each runtime field a file sets is observed in
// `docker inspect` or inside the container.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "controller/docker_client.h"
#include "tests/support/support.h"

namespace lk {
namespace {

using test::Labkeeper;
using test::Sh;

TEST(NodeFields, EveryRuntimeFieldReachesTheContainer) {
  ASSERT_TRUE(test::EngineAnswers());
  test::TempDir dir;
  dir.Write("vars.env", "# comment\nFROM_FILE=yes\nOVERRIDDEN=file\n");
  dir.Write("hello.txt", "hello from a bind\n");
  std::string file = dir.Write("fields.clab.yml", R"(name: lktest-fields
topology:
  defaults:
    kind: linux
    image: labkeeper.dev/busybox:test
    env: {OVERRIDDEN: defaults}
  kinds:
    linux:
      dns:
        servers: [192.0.2.53]
        search: [lab.example]
        options: [rotate]
  nodes:
    full:
      env-files: [vars.env]
      env: {OVERRIDDEN: node}
      binds: [hello.txt:/hello.txt:ro]
      ports: ["127.0.0.1:29181:80"]
      labels: {team: netops}
      user: "0"
      hostname: full-host
      cpu: 1.5
      cpu-set: "0"
      memory: 256Mb
      shm-size: 32m
      sysctls: {net.ipv4.ip_forward: "1", net.ipv4.conf.all.forwarding: "1"}
      devices: ["/dev/null:/dev/lknull:rwm"]
      tmpfs: ["/scratch:size=16m"]
      security-opts: ["no-new-privileges"]
      cgroupns-mode: private
      restart-policy: unless-stopped
      aliases: [full.lab.example]
      startup-delay: 1
      healthcheck:
        test: [CMD-SHELL, "true"]
        start-period: 3
        retries: 2
        interval: 5
        timeout: 2
      exec:
        - sh -c "echo exec-ran > /tmp/exec-out"
    side:
      network-mode: container:full
    shell:
      cmd: sh
)");
  test::LabGuard guard("lktest-fields");
  auto r = Labkeeper("apply " + file);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("node/full: waiting 1 s (startup-delay)"), std::string::npos) << r.out;

  DockerClient docker;
  auto c = *docker.InspectContainer("clab-lktest-fields-full");
  const auto& cfg = c["Config"];
  const auto& host = c["HostConfig"];
  std::string env = cfg["Env"].dump();
  EXPECT_NE(env.find("FROM_FILE=yes"), std::string::npos) << env;
  EXPECT_NE(env.find("OVERRIDDEN=node"), std::string::npos) << "env beats env-files and defaults: " << env;
  EXPECT_EQ(cfg["Labels"]["team"], "netops");
  EXPECT_EQ(cfg["User"], "0");
  EXPECT_EQ(cfg["Hostname"], "full-host");
  EXPECT_EQ(host["NanoCpus"], 1500000000LL);
  EXPECT_EQ(host["CpusetCpus"], "0");
  EXPECT_EQ(host["Memory"], 256LL * 1024 * 1024);
  EXPECT_EQ(host["ShmSize"], 32LL * 1024 * 1024);
  EXPECT_EQ(host["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_EQ(host["CgroupnsMode"], "private");
  EXPECT_NE(host["SecurityOpt"].dump().find("no-new-privileges"), std::string::npos) << host["SecurityOpt"].dump();
  EXPECT_EQ(host["Tmpfs"]["/scratch"], "size=16m");
  EXPECT_EQ(host["Devices"][0]["PathInContainer"], "/dev/lknull");
  EXPECT_EQ(host["PortBindings"]["80/tcp"][0]["HostPort"], "29181");
  EXPECT_EQ(host["PortBindings"]["80/tcp"][0]["HostIp"], "127.0.0.1");
  EXPECT_EQ(cfg["Healthcheck"]["Retries"], 2);
  EXPECT_EQ(cfg["Healthcheck"]["Interval"], 5000000000LL);
  EXPECT_EQ(c["NetworkSettings"]["Networks"]["clab"]["Aliases"].dump().find("full.lab.example") != std::string::npos,
            true);

  // Inside the container.
  EXPECT_EQ(Sh("docker exec clab-lktest-fields-full cat /hello.txt"), "hello from a bind\n");
  EXPECT_EQ(Sh("docker exec clab-lktest-fields-full cat /proc/sys/net/ipv4/ip_forward"), "1\n");
  std::string resolv = Sh("docker exec clab-lktest-fields-full cat /etc/resolv.conf");
  // On a user-defined network the engine's embedded resolver (127.0.0.11) forwards to the servers.
  EXPECT_EQ(host["Dns"][0], "192.0.2.53");
  EXPECT_NE(resolv.find("lab.example"), std::string::npos) << resolv;
  EXPECT_NE(resolv.find("rotate"), std::string::npos) << resolv;
  EXPECT_EQ(Sh("docker exec clab-lktest-fields-full cat /tmp/exec-out"), "exec-ran\n");
  EXPECT_NE(Sh("docker exec clab-lktest-fields-full ls -l /dev/lknull"), "");
  EXPECT_NE(Sh("docker exec clab-lktest-fields-full mount").find("/scratch"), std::string::npos);

  // network-mode container:NODE shares that node's namespace.
  auto side = *docker.InspectContainer("clab-lktest-fields-side");
  EXPECT_EQ(side["HostConfig"]["NetworkMode"], "container:" + c["Id"].get<std::string>());
  EXPECT_EQ(Sh("docker exec clab-lktest-fields-side readlink /proc/self/ns/net"),
            Sh("docker exec clab-lktest-fields-full readlink /proc/self/ns/net"));

  // A node whose command is a plain shell stays up on its terminal, as containerlab's nodes do.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Sh("docker inspect -f '{{.State.Running}} {{.Config.Tty}}' clab-lktest-fields-shell"), "true true\n");

  EXPECT_NE(Labkeeper("apply " + file).out.find("in sync, no changes"), std::string::npos);
}

}  // namespace
}  // namespace lk
