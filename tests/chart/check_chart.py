#!/usr/bin/env python3
"""The Helm chart (charts/labkeeper): `helm lint --strict` and `helm template` pass for the
default values and for each option, and what they render is what the chart promises: a
privileged DaemonSet on the host's network and PIDs with the Docker socket, --host-id from the
node's name, the labs from a ConfigMap / git-sync / labkeeper's own checkout, the token from a
Secret off loopback, the Service, the ServiceMonitor and the shipped alert rules. Bad values are
refused by values.schema.json. Usage: check_chart.py REPO_ROOT [HELM]."""
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1]
HELM = sys.argv[2] if len(sys.argv) > 2 else "/usr/local/lib/labkeeper/k8s-tools/bin/helm"
CHART = os.path.join(ROOT, "charts", "labkeeper")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def helm(*args, ok=True):
    r = subprocess.run([HELM, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"helm {' '.join(args)} failed")
    return r


def render(sets):
    flags = [a for s in sets for a in ("--set", s)]
    helm("lint", "--strict", CHART, *flags)
    out = helm("template", "rel", CHART, "--namespace", "labs", *flags).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def pod_of(docs):
    ds = docs[("DaemonSet", "rel-labkeeper")]
    return ds["spec"]["template"]["spec"]


def container(pod, name="labkeeper"):
    return next(c for c in pod["containers"] if c["name"] == name)


def volume(pod, name):
    return next((v for v in pod["volumes"] if v["name"] == name), None)


def mount(c, name):
    return next((m for m in c.get("volumeMounts", []) if m["name"] == name), None)


# --- the default values ---------------------------------------------------------------------
docs = render([])
pod = pod_of(docs)
c = container(pod)
args = c["args"]
check(pod.get("hostNetwork") is True and pod.get("hostPID") is True, "default: host network and host PID")
check(c["securityContext"].get("privileged") is True, "default: privileged")
check(c["command"] == ["/usr/local/bin/labkeeper"] and args[0] == "run", "default: runs `labkeeper run`")
check("--host-id=$(LABKEEPER_HOST_ID)" in args, "default: --host-id from the env")
env = {e["name"]: e for e in c["env"]}
check(env["LABKEEPER_HOST_ID"].get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName",
      "default: the host id is the node's name (downward API)")
check("--unplaced=ignore" in args, "default: unplaced labs are ignored in the chart")
check("--resync=30s" in args and "--deep-resync=5m" in args, "default: --resync and --deep-resync")
check("--dir=/etc/labkeeper/labs" in args and mount(c, "labs")["mountPath"] == "/etc/labkeeper/labs",
      "default: the labs are the ConfigMap mounted at --dir")
check(volume(pod, "labs")["configMap"]["name"] == "rel-labkeeper-labs" and ("ConfigMap", "rel-labkeeper-labs") in docs,
      "default: the chart's own ConfigMap")
check(volume(pod, "docker-socket")["hostPath"]["path"] == "/var/run/docker.sock"
      and mount(c, "docker-socket")["mountPath"] == "/var/run/docker.sock", "default: the Docker socket")
check(volume(pod, "state")["hostPath"]["path"] == mount(c, "state")["mountPath"] == "/var/lib/labkeeper",
      "default: the state and the labs' directories on the host, at the same path")
check(env["CLAB_LABDIR_BASE"]["value"] == "/var/lib/labkeeper/labdirs", "default: CLAB_LABDIR_BASE on the host path")
check("--listen=0.0.0.0:9580" in args and "--token-file=/etc/labkeeper/token/token" in args,
      "default: a listener off loopback with the token file")
secret = docs.get(("Secret", "rel-labkeeper-token"))
check(secret is not None and len(secret["data"]["token"]) > 40, "default: a random token in the chart's Secret")
check(volume(pod, "token")["secret"]["secretName"] == "rel-labkeeper-token", "default: the token mounted from the Secret")
check("--no-host-names" in args, "default: the host's /etc/hosts is left alone")
check(("Service", "rel-labkeeper") in docs, "default: a Service")
check(not any(k[0] in ("ServiceMonitor", "PrometheusRule") for k in docs), "default: no ServiceMonitor/PrometheusRule")
check(c["livenessProbe"]["httpGet"]["path"] == "/healthz" and c["readinessProbe"]["httpGet"]["path"] == "/readyz",
      "default: probes on /healthz and /readyz")
check(c["resources"]["requests"]["cpu"] == "50m", "default: resources")

# --- each option ----------------------------------------------------------------------------
lab = "name: one\ntopology:\n  nodes:\n    a: {kind: linux, image: alpine:3}\n"
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    yaml.safe_dump({"configMap": {"files": {"one.clab.yml": lab}}}, f)
    files_values = f.name
helm("lint", "--strict", CHART, "-f", files_values)
out = helm("template", "rel", CHART, "-f", files_values).stdout
cm = next(d for d in yaml.safe_load_all(out) if d and d["kind"] == "ConfigMap")
check(yaml.safe_load(cm["data"]["one.clab.yml"]) == yaml.safe_load(lab), "configMap.files: the files, unchanged")
os.unlink(files_values)

docs = render(["configMap.existing=labs-from-argo", "hostId=lab-host-7", "unplaced=take"])
pod = pod_of(docs)
c = container(pod)
check(volume(pod, "labs")["configMap"]["name"] == "labs-from-argo" and not any(k[0] == "ConfigMap" for k in docs),
      "configMap.existing: that ConfigMap, none made")
check({"name": "LABKEEPER_HOST_ID", "value": "lab-host-7"} in c["env"], "hostId: a fixed id")
check("--unplaced=take" in c["args"], "unplaced=take")

docs = render(["source=gitSync", "gitSync.repository=https://git.example.org/labs.git", "gitSync.ref=prod",
               "gitSync.subPath=labs"])
pod = pod_of(docs)
c, gs = container(pod), container(pod, "git-sync")
check("--dir=/var/lib/labkeeper/git-sync/labs/labs" in c["args"], "gitSync: --dir is git-sync's link")
check("--repo=https://git.example.org/labs.git" in gs["args"] and "--ref=prod" in gs["args"]
      and "--root=/var/lib/labkeeper/git-sync" in gs["args"] and "--link=labs" in gs["args"], "gitSync: the sidecar")
check(volume(pod, "labs") is None and not any(k[0] == "ConfigMap" for k in docs), "gitSync: no ConfigMap")

docs = render(["source=git", "git.repository=https://git.example.org/labs.git", "git.ref=v2", "git.interval=1m"])
c = container(pod_of(docs))
check({"--git=https://git.example.org/labs.git", "--git-ref=v2", "--git-interval=1m",
       "--dir=/var/lib/labkeeper/git"} <= set(c["args"]), "git: labkeeper's own checkout")

docs = render(["listen.address=127.0.0.1"])
c = container(pod_of(docs))
check(not any(a.startswith("--token-file") for a in c["args"]) and ("Secret", "rel-labkeeper-token") not in docs,
      "listen on loopback: no token")
docs = render(["token.existingSecret=lab-token", "token.key=t"])
pod = pod_of(docs)
check("--token-file=/etc/labkeeper/token/t" in container(pod)["args"] and volume(pod, "token")["secret"]["secretName"]
      == "lab-token" and not any(k[0] == "Secret" for k in docs), "token.existingSecret")
docs = render(["token.value=s3cret"])
check(docs[("Secret", "rel-labkeeper-token")]["data"]["token"] == "czNjcmV0", "token.value")

docs = render(["serviceMonitor.enabled=true", "serviceMonitor.labels.release=prom", "prometheusRule.enabled=true"])
sm = docs[("ServiceMonitor", "rel-labkeeper")]
check(sm["spec"]["endpoints"][0]["port"] == "http" and sm["spec"]["endpoints"][0]["path"] == "/metrics"
      and sm["metadata"]["labels"]["release"] == "prom", "serviceMonitor")
rule = docs[("PrometheusRule", "rel-labkeeper")]
with open(os.path.join(ROOT, "telemetry", "alerts.yml")) as f:
    shipped = yaml.safe_load(f)
check(rule["spec"] == shipped, "prometheusRule: exactly the shipped alert rules (telemetry/alerts.yml)")
with open(os.path.join(ROOT, "telemetry", "alerts.yml")) as a, open(os.path.join(CHART, "files", "alerts.yml")) as b:
    check(a.read() == b.read(), "charts/labkeeper/files/alerts.yml is a copy of telemetry/alerts.yml")

docs = render(["hosts.node-1=198.51.100.1", "hosts.node-2=198.51.100.2", "vxlanPort=4790"])
c = container(pod_of(docs))
env = {e["name"]: e for e in c["env"]}
check({"--peer=node-1=198.51.100.1", "--peer=node-2=198.51.100.2", "--vxlan-port=4790",
       "--host-address=$(LABKEEPER_HOST_ADDRESS)"} <= set(c["args"])
      and env["LABKEEPER_HOST_ADDRESS"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP",
      "hosts: the host table, and this node's address from its status")

docs = render(["hostNames.enabled=true"])
pod = pod_of(docs)
c = container(pod)
check("--no-host-names" not in c["args"] and mount(c, "etc-hosts")["mountPath"] == "/etc/hosts"
      and volume(pod, "ssh-config")["hostPath"]["path"] == "/etc/ssh/ssh_config.d", "hostNames.enabled")
docs = render(["nodeSelector.labkeeper\\.dev/lab-host=lab1", "tolerations[0].key=lab", "tolerations[0].operator=Exists",
               "resources.limits.memory=1Gi", "service.enabled=false", "adopt=true", "extraArgs[0]=--resync=5s"])
pod = pod_of(docs)
c = container(pod)
check(pod["nodeSelector"] == {"labkeeper.dev/lab-host": "lab1"} and pod["tolerations"][0]["key"] == "lab",
      "nodeSelector and tolerations")
check(c["resources"]["limits"]["memory"] == "1Gi" and ("Service", "rel-labkeeper") not in docs, "resources, no Service")
check("--adopt" in c["args"] and c["args"][-1] == "--resync=5s", "adopt and extraArgs")
for value in ["0", "1h"]:
    args = container(pod_of(render([f"deepResync={value}"])))["args"]
    check(f"--deep-resync={value}" in args, f"deepResync={value}")

# --- refused --------------------------------------------------------------------------------
for bad, why in [(["unplaced=sometimes"], "unplaced"), (["source=svn"], "source"), (["resync=soon"], "resync"), (["deepResync=soon"], "deepResync"),
                 (["listen.port=70000"], "port"), (["vxlanPort=0"], "vxlanPort"), (["hostPaths.root=relative"], "root"), (["colour=red"], "unknown"),
                 (["configMap.files.notes\\.txt=x"], "a file that is not a lab"),
                 (["source=git"], "git without a repository"), (["source=gitSync"], "gitSync without a repository"),
                 (["serviceMonitor.enabled=true", "service.enabled=false"], "ServiceMonitor without a Service")]:
    flags = [a for s in bad for a in ("--set", s)]
    r = helm("template", "rel", CHART, *flags, ok=False)
    check(r.returncode != 0, f"refused: {why} ({r.stdout[:80]!r})")

# --- docs/kubernetes.md's YAML examples parse ------------------------------------------------
with open(os.path.join(ROOT, "docs", "kubernetes.md")) as f:
    blocks = f.read().split("```yaml\n")[1:]
check(len(blocks) >= 4, "docs/kubernetes.md has its examples")
for b in blocks:
    try:
        list(yaml.safe_load_all(b.split("```")[0]))
    except yaml.YAMLError as e:
        check(False, f"docs/kubernetes.md: a YAML example does not parse: {e}")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("chart: lint --strict and template pass for the defaults and every option; bad values refused")
