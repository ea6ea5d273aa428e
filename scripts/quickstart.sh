#!/usr/bin/env bash
# The README's first command: install every dependency, build, start a Docker engine when none
# answers, build the local images, install labkeeper into /usr/local/bin, apply the example lab and
# leave the controller (labkeeper run) running on examples/: under systemd where it is PID 1, else
# in the background (scripts/service-up.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== 1/6 dependencies (Debian packages)"
bash scripts/install-deps.sh
echo "== 2/6 build"
bash scripts/build.sh
install -m 0755 build/labkeeper /usr/local/bin/labkeeper
echo "== 3/6 Docker engine"
bash scripts/docker-up.sh
echo "== 4/6 local images"
bash images/build.sh
echo "== 5/6 labkeeper apply examples/frr-demo/frr-demo.clab.yml"
labkeeper apply examples/frr-demo/frr-demo.clab.yml
echo "== 6/6 the controller: labkeeper run --dir examples"
bash scripts/service-up.sh examples
cat <<'MSG'

The example lab is up, and the controller keeps it so. Where to look:
  labkeeper status labkeeper-demo          # nodes, images, states, management addresses
  labkeeper events labkeeper-demo          # what the controller sees and does, live
  docker rm -f clab-labkeeper-demo-router1 # break it: the controller recreates router1 and its links
  docker exec clab-labkeeper-demo-router1 vtysh -c 'show ip ospf neighbor'   # Full after about 45 s
  docker exec clab-labkeeper-demo-PC1 ping -c 3 192.168.13.2                 # PC1 to PC3 through OSPF
  bash scripts/service-down.sh && labkeeper destroy examples/frr-demo/frr-demo.clab.yml   # remove it all
MSG
