#!/usr/bin/env bash
# The README's first command: install every dependency, build, start a Docker engine when none
# answers, build the local images, install labkeeper into /usr/local/bin and apply the example lab.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== 1/5 dependencies (Debian packages)"
bash scripts/install-deps.sh
echo "== 2/5 build"
bash scripts/build.sh
install -m 0755 build/labkeeper /usr/local/bin/labkeeper
echo "== 3/5 Docker engine"
bash scripts/docker-up.sh
echo "== 4/5 local images"
bash images/build.sh
echo "== 5/5 labkeeper apply examples/frr-demo/frr-demo.clab.yml"
labkeeper apply examples/frr-demo/frr-demo.clab.yml
cat <<'MSG'

The example lab is up. Where to look:
  labkeeper status labkeeper-demo          # nodes, images, states, management addresses
  docker exec clab-labkeeper-demo-router1 vtysh -c 'show ip ospf neighbor'   # Full after about 45 s
  docker exec clab-labkeeper-demo-PC1 ping -c 3 192.168.13.2                 # PC1 to PC3 through OSPF
  labkeeper destroy examples/frr-demo/frr-demo.clab.yml                      # remove it all
MSG
