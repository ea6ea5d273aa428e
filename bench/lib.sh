# Shared by the benchmarks (sourced): the lab they measure, on a management network in the
# benchmarking range 198.18.0.0/15 (RFC 2544), apart from every subnet the tests use.
# chain_lab NAME NODES NETWORK SUBNET: a lab of NODES busybox nodes n1..nN in a chain (nI:eth2 to
# nI+1:eth1), on a management network of its own, printed to stdout.
chain_lab() {
  local i
  echo "name: $1"
  echo "mgmt: {network: $3, ipv4-subnet: $4}"
  echo "topology:"
  echo "  defaults: {kind: linux, image: labkeeper.dev/busybox:test}"
  echo "  nodes:"
  for i in $(seq 1 "$2"); do echo "    n$i: {}"; done
  [ "$2" -ge 2 ] && echo "  links:"
  for i in $(seq 2 "$2"); do echo "    - endpoints: [\"n$((i - 1)):eth2\", \"n$i:eth1\"]"; done
  return 0
}

# drop_network NAME: the benchmark's management network, when `destroy` left it (the engine may
# still count an endpoint of a container just removed, moby/moby#17217): tried for 10 s.
drop_network() {
  local _
  for _ in $(seq 1 10); do
    docker network inspect "$1" >/dev/null 2>&1 || return 0
    docker network rm "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "bench: network $1 is left: the engine still counts an endpoint on it (a restart of the engine clears it)" >&2
}
