# Shared by the benchmarks (sourced): the lab they measure.
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
