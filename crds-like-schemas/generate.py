#!/usr/bin/python3
"""Writes the schemas labkeeper ships, from one description:

  clab.schema.json   JSON Schema (draft-07) of containerlab topology files as labkeeper accepts them
  lab.schema.json    JSON Schema of the Lab resource (*.lab.yml)
  lab-crd.yaml       Kubernetes CustomResourceDefinition for Lab, with the same schema as OpenAPI v3

Run it after changing the format: /usr/bin/python3 crds-like-schemas/generate.py
"""
import copy
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# Every kind name and alias labkeeper takes: the kind table's (api/kind_table.cc), checked by
# the unit test Kinds.TheJsonSchemasKnowEveryName.
KINDS = ["6wind_vsr", "arista_ceos", "arista_veos", "arrcus_arcos", "aruba_aoscx", "bridge", "c8000", "ceos",
         "checkpoint_cloudguard", "ciena_saos", "cisco_asav", "cisco_c8000", "cisco_c8000v", "cisco_cat9kv",
         "cisco_csr1000v", "cisco_ftdv", "cisco_iol", "cisco_n9kv", "cisco_nxos", "cisco_vios", "cisco_xrd",
         "cisco_xrv", "cisco_xrv9k", "cjunosevolved", "crpd", "csrx", "cumulus_cvx", "cvx", "dell_ftosv",
         "dell_sonic", "ext-container", "f5_bigip-ve", "fdio_vpp", "fortinet_fortigate", "freebsd",
         "generic_vm", "host", "huawei_vrp", "ipinfusion_ocnos", "juniper_cjunosevolved", "juniper_crpd",
         "juniper_csrx", "juniper_vjunosevolved", "juniper_vjunosrouter", "juniper_vjunosswitch",
         "juniper_vmx", "juniper_vqfx", "juniper_vsrx", "k8s-kind", "keysight_ixia-c-one", "linux",
         "mikrotik_ros", "nokia_srlinux", "nokia_sros", "nokia_srsim", "openbsd", "ovs-bridge",
         "paloalto_panos", "rare", "sonic-vm", "sonic-vs", "srl", "veesix_osvbng", "vr-aoscx",
         "vr-arista_veos", "vr-aruba_aoscx", "vr-asav", "vr-c8000v", "vr-cat9kv", "vr-cisco_asav",
         "vr-cisco_c8000v", "vr-cisco_cat9kv", "vr-cisco_csr1000v", "vr-cisco_ftdv", "vr-cisco_n9kv",
         "vr-cisco_nxos", "vr-cisco_vios", "vr-cisco_xrv", "vr-cisco_xrv9k", "vr-csr", "vr-dell_ftosv",
         "vr-ftdv", "vr-ftosv", "vr-juniper_vmx", "vr-juniper_vqfx", "vr-juniper_vsrx", "vr-mikrotik_ros",
         "vr-n9kv", "vr-nokia_sros", "vr-nxos", "vr-paloalto_panos", "vr-pan", "vr-ros", "vr-sros",
         "vr-veos", "vr-vios", "vr-vjunosevolved", "vr-vjunosrouter", "vr-vjunosswitch", "vr-vmx", "vr-vqfx",
         "vr-vsrx", "vr-xrv", "vr-xrv9k", "vyosnetworks_vyos", "xrd"]
NAME = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
# A node key: a name, or "bridge|container" for a bridge inside a container's namespace.
NODE_KEY = "^[A-Za-z0-9_][A-Za-z0-9_.-]*(\\|[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"
IFACE = "[^:/\\s]{1,15}"  # Linux interface names: at most 15 characters, no '/', ':' or space
# A host interface may be named longer: labkeeper gives it a short kernel name and keeps this one
# as its altname, which holds up to 127 bytes.
HOST_IFACE = "[^:/\\s]{1,127}"
# What an endpoint's interface may be written as: a Linux name, a vendor alias (ethernet-1/1,
# Ethernet1/2, GigabitEthernet0/0/0/1) or a ${VAR} expanded later.
IFACE_WRITTEN = ("(" + IFACE + "|[A-Za-z-]*[0-9]+(/[xc]?[0-9]+)+"
                 "|[^/\\s]*\\$\\{[^}]*\\}[^/\\s]*)")
MAC = "^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"

STR = {"type": "string"}
STRS = {"type": "array", "items": STR}
SCALAR = {"type": ["string", "number", "boolean", "null"]}
STRMAP = {"type": "object", "additionalProperties": SCALAR}
ANY = {}


# Addresses: V4/V6 an address, with /LEN a prefix; "" (no address) is allowed where containerlab
# allows it (a brief link's per-end list, an endpoint, a node's mgmt-ipv4/6).
OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
V4 = OCTET + "(\\." + OCTET + "){3}"
V6 = "[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*"
V4LEN = "/([0-9]|[12][0-9]|3[0-2])"
V6LEN = "/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])"
IPV4 = {"type": "string", "pattern": "^(" + V4 + V4LEN + ")?$"}
IPV6 = {"type": "string", "pattern": "^(" + V6 + V6LEN + ")?$"}
ADDR4 = {"type": "string", "pattern": "^(" + V4 + ")?$"}
ADDR6 = {"type": "string", "pattern": "^(" + V6 + ")?$"}
PREFIX4 = {"type": "string", "pattern": "^(" + V4 + V4LEN + ")?$"}
PREFIX6 = {"type": "string", "pattern": "^(" + V6 + V6LEN + ")?$"}


def obj(props, required=(), extra=False):
    o = {"type": "object", "properties": props, "additionalProperties": extra}
    if required:
        o["required"] = list(required)
    return o


# Docker's [[ip:]host-port:]container-port[/tcp|udp|sctp], each port 1..65535 or a range of them.
PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
PORTS = PORT + "(-" + PORT + ")?"
PORT_MAPPING = {"type": "string",
                "pattern": "^(((" + V4 + "|\\[" + V6 + "\\]):)?(" + PORTS + ")?:)?" + PORTS + "(/(tcp|udp|sctp))?$"}

# nokia_srsim's components: one container each (slot A or B for a CPM, a number for a card).
COMPONENTS = {"type": "array", "items": obj({
    "slot": {"type": ["string", "integer"], "pattern": "^([AaBb]|[1-9][0-9]{0,2})$", "minimum": 1, "maximum": 999},
    "type": STR, "env": STRMAP, "sfm": STR, "mda": ANY, "xiom": ANY})}

NODE = obj({
    "kind": {"type": "string", "enum": KINDS},
    "group": STR, "type": {"type": ["string", "integer"]}, "image": STR,
    "image-pull-policy": {"type": "string", "enum": ["IfNotPresent", "Always", "Never", "ifnotpresent", "always", "never"]},
    "license": STR, "position": STR, "entrypoint": STR, "cmd": STR,
    "startup-config": STR, "startup-delay": {"type": "integer", "minimum": 0},
    "enforce-startup-config": {"type": "boolean"}, "suppress-startup-config": {"type": "boolean"},
    "auto-remove": {"type": "boolean"},
    "restart-policy": {"type": "string", "enum": ["no", "always", "on-failure", "unless-stopped"]},
    "config": ANY, "exec": STRS,
    "binds": {"type": "array", "items": {"type": "string", "pattern": "^[^:]+:[^:]+(:[^:]+)?$"}},
    "volumes": STRS, "ports": {"type": "array", "items": {"anyOf": [PORT_MAPPING, {"type": "integer", "minimum": 1, "maximum": 65535}]}},
    "mgmt-ipv4": ADDR4, "mgmt-ipv6": ADDR6, "publish": STRS,
    "env": STRMAP, "env-files": STRS, "labels": STRMAP,
    "user": {"type": ["string", "integer"]}, "hostname": STR, "network-mode": STR,
    "cpu": {"type": "number", "exclusiveMinimum": 0}, "cpu-set": STR,
    "memory": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?\\s*[bBkKmMgGtTpP]?[bB]?$"},
    "shm-size": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?\\s*[bBkKmMgGtTpP]?[bB]?$"},
    "sysctls": STRMAP, "extras": ANY, "wait-for": ANY,
    "dns": obj({"servers": {"type": "array", "items": {"type": "string", "pattern": "^(" + V4 + "|" + V6 + ")$"}},
                "search": STRS, "options": STRS}),
    "certificate": ANY,
    "healthcheck": obj({"test": {"type": ["array", "string"]}, "start-period": {"type": "integer"},
                        "retries": {"type": "integer"}, "interval": {"type": "integer"}, "timeout": {"type": "integer"}}),
    "aliases": STRS, "devices": STRS, "components": COMPONENTS, "stages": ANY, "cap-add": STRS,
    "security-opts": STRS, "tmpfs": STRS, "privileged": {"type": "boolean"}, "cgroupns-mode": STR,
    "pid-mode": STR, "credentials": ANY, "link-apply-mode": STR, "cgroup-parent": STR, "platform": STR,
    "runtime": {"type": "string", "enum": ["docker"]},
})
NODE_OR_NULL = {"anyOf": [NODE, {"type": "null"}]}

# An impairment (docs/impairments.md): containerlab's `tools netem` names and units.
DURATION = {"type": ["string", "number"], "pattern": "^[0-9.]+\\s*(ns|us|ms|s)?$", "minimum": 0}
PERCENT = {"type": ["string", "number"], "pattern": "^[0-9.]+\\s*%?$", "minimum": 0, "maximum": 100}
NETEM_PROPS = {"delay": DURATION, "jitter": DURATION, "loss": PERCENT, "corruption": PERCENT, "duplicate": PERCENT,
               "reorder": PERCENT, "rate": {"type": ["string", "integer"], "pattern": "^[0-9]+$", "minimum": 0}}
# `vars` stays free-form, as containerlab keeps it; its `netem` is labkeeper's.
VARS = {"type": "object", "properties": {"netem": obj(NETEM_PROPS)}, "additionalProperties": True}
IMPAIRMENTS = {"type": "array", "items": dict(obj(dict(NETEM_PROPS, endpoint={"type": "string", "pattern": "^[^:]+:[^:]+$"},
                                                       link={"type": "string", "pattern": "^[^:]+:[^-]+--[^:]+:.+$"})),
                                              oneOf=[{"required": ["endpoint"]}, {"required": ["link"]}])}
COMMON_LINK = {"mtu": {"type": "integer", "minimum": 68, "maximum": 65535}, "vars": VARS, "labels": ANY}
ENDPOINT = obj({"node": STR, "interface": {"type": "string", "pattern": "^" + IFACE_WRITTEN + "$"},
                "mac": {"type": "string", "pattern": MAC}, "vars": VARS, "labels": ANY, "ipv4": IPV4, "ipv6": IPV6},
               ["node", "interface"])
BRIEF = obj(dict(COMMON_LINK, endpoints={"type": "array", "minItems": 2, "maxItems": 2,
                                         "items": {"type": "string",
                                                   "pattern": "^([^:]+:" + IFACE_WRITTEN + "|(host|mgmt-net):" + HOST_IFACE
                                                              + ")$"}},
                 ipv4={"type": "array", "maxItems": 2, "items": IPV4},
                 ipv6={"type": "array", "maxItems": 2, "items": IPV6}),
            ["endpoints"])
VETH = obj(dict(COMMON_LINK, type={"const": "veth"},
                endpoints={"type": "array", "minItems": 2, "maxItems": 2, "items": ENDPOINT}), ["type", "endpoints"])
# veth-stitch: ends written either way, carrying no mac or address (a transparent layer-2 stitch).
# The node's name also names its far end's interface: at most 15 characters, no '/' or space.
STITCH_NODE = "[^:/\\s]{1,15}"
STITCH_END = obj({"node": {"type": "string", "pattern": "^" + STITCH_NODE + "$"},
                  "interface": {"type": "string", "pattern": "^" + IFACE_WRITTEN + "$"},
                  "vars": ANY, "labels": ANY}, ["node", "interface"])
VETH_STITCH = obj(dict(COMMON_LINK, type={"const": "veth-stitch"},
                       endpoints={"type": "array", "minItems": 2, "maxItems": 2,
                                  "items": {"anyOf": [STITCH_END, {"type": "string",
                                                                   "pattern": "^" + STITCH_NODE + ":" + IFACE_WRITTEN + "$"}]}}),
                  ["type", "endpoints"])
HOSTLIKE = {t: obj(dict(COMMON_LINK, type={"const": t}, endpoint=ENDPOINT,
                        **{"host-interface": {"type": "string",
                                              "pattern": "^" + (IFACE if t == "macvlan" else HOST_IFACE) + "$"}}),
                   ["type", "endpoint", "host-interface"])
            for t in ("host", "mgmt-net", "macvlan")}
DUMMY = obj(dict(COMMON_LINK, type={"const": "dummy"}, endpoint=ENDPOINT), ["type", "endpoint"])
VXLAN = {t: obj(dict(COMMON_LINK, type={"const": t}, endpoint=ENDPOINT, remote=STR,
                     vni={"type": "integer", "minimum": 0, "maximum": 16777215},
                     **{"dst-port": {"type": "integer", "minimum": 1, "maximum": 65535},
                        "src-port": {"type": "integer"}}),
                ["type", "endpoint", "remote", "vni"])
         for t in ("vxlan", "vxlan-stitch")}
LINK = {"oneOf": [BRIEF, VETH, VETH_STITCH, HOSTLIKE["host"], HOSTLIKE["mgmt-net"], HOSTLIKE["macvlan"], DUMMY,
                  VXLAN["vxlan"], VXLAN["vxlan-stitch"]]}

MGMT = obj({"network": STR, "ipv4-subnet": PREFIX4, "ipv4-gw": ADDR4, "ipv4-range": PREFIX4, "ipv6-subnet": PREFIX6,
            "ipv6-gw": ADDR6, "ipv6-range": PREFIX6, "mtu": {"type": "integer"}, "bridge": STR,
            "external-access": {"type": "boolean"}, "driver": STR})

TOPOLOGY = obj({
    "defaults": NODE,
    "kinds": {"type": "object", "additionalProperties": NODE},
    "groups": {"type": "object", "additionalProperties": NODE},
    "nodes": {"type": "object", "propertyNames": {"pattern": NODE_KEY}, "additionalProperties": NODE_OR_NULL},
    "links": {"type": "array", "items": LINK},
})

CLAB = dict(obj({"name": {"type": "string", "pattern": NAME}, "prefix": STR, "mgmt": MGMT, "settings": ANY,
                 "debug": {"type": "boolean"}, "topology": TOPOLOGY}, ["name", "topology"]))
CLAB = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": "https://labkeeper.dev/schemas/clab.schema.json",
        "title": "containerlab topology, as labkeeper accepts it", **CLAB}

SPEC = obj({"prefix": STR, "mgmt": MGMT, "topology": TOPOLOGY, "settings": ANY,
            "suspend": {"type": "boolean"}, "prune": {"type": "boolean"}, "adopt": {"type": "boolean"}, "host": STR, "hosts": STRMAP,
            "emulation": {"type": "string", "enum": ["allow", "warn", "deny"]}, "impairments": IMPAIRMENTS}, ["topology"])
META = obj({"name": {"type": "string", "pattern": NAME}, "namespace": STR, "labels": STRMAP,
            "annotations": STRMAP}, ["name"])
LAB = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": "https://labkeeper.dev/schemas/lab.schema.json",
       "title": "labkeeper Lab resource",
       **obj({"apiVersion": {"const": "labkeeper.dev/v1alpha1"}, "kind": {"const": "Lab"}, "metadata": META,
              "spec": SPEC}, ["apiVersion", "kind", "metadata", "spec"])}


def openapi(schema):
    """The same schema for a CRD: OpenAPI v3 has no const, oneOf-of-objects must be structural."""
    s = copy.deepcopy(schema)
    for k in ("$schema", "$id", "title"):
        s.pop(k, None)

    def walk(n):
        if isinstance(n, list):
            return [walk(x) for x in n]
        if not isinstance(n, dict):
            return n
        n = {k: walk(v) for k, v in n.items()}
        if n.get("additionalProperties") is True:  # free-form with known fields (vars)
            n.pop("additionalProperties")
            n["x-kubernetes-preserve-unknown-fields"] = True
        if "oneOf" in n and all(set(o) == {"required"} for o in n["oneOf"]):  # one of these keys: validation only
            n.pop("oneOf")
        if "const" in n:
            n["enum"] = [n.pop("const")]
            n.setdefault("type", "string")
        if isinstance(n.get("type"), list):  # OpenAPI v3 has one type per schema: leave it open
            n.pop("type")
            n["x-kubernetes-preserve-unknown-fields"] = True
        if n == {}:
            n = {"x-kubernetes-preserve-unknown-fields": True}
        if "oneOf" in n and all(isinstance(o, dict) and o.get("type") == "object" for o in n["oneOf"]):
            # Structural schemas need the union of properties outside oneOf.
            props = {}
            for o in n["oneOf"]:
                for k, v in o.get("properties", {}).items():
                    # A field whose schema differs between alternatives stays open.
                    props[k] = v if props.get(k, v) == v else {"x-kubernetes-preserve-unknown-fields": True}
            n = {"type": "object", "properties": props}
        if "anyOf" in n:
            n = n["anyOf"][0]
            n["nullable"] = True
        if n.get("additionalProperties") is False:
            n.pop("additionalProperties")  # structural schemas prune unknown fields instead
        if "propertyNames" in n:
            n.pop("propertyNames")
        if "exclusiveMinimum" in n and not isinstance(n["exclusiveMinimum"], bool):
            n["minimum"] = n.pop("exclusiveMinimum")
            n["exclusiveMinimum"] = True
        return n

    return walk(s)


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "labs.labkeeper.dev"},
    "spec": {
        "group": "labkeeper.dev",
        "names": {"kind": "Lab", "listKind": "LabList", "plural": "labs", "singular": "lab"},
        "scope": "Namespaced",
        "versions": [{
            "name": "v1alpha1", "served": True, "storage": True,
            "schema": {"openAPIV3Schema": openapi({k: v for k, v in LAB.items() if k != "properties"} |
                                                  {"properties": {"spec": LAB["properties"]["spec"],
                                                                  "apiVersion": STR, "kind": STR,
                                                                  "metadata": {"type": "object"}}})},
            "subresources": {"status": {}},
        }],
    },
}

if __name__ == "__main__":
    with open(os.path.join(HERE, "clab.schema.json"), "w") as f:
        json.dump(CLAB, f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, "lab.schema.json"), "w") as f:
        json.dump(LAB, f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, "lab-crd.yaml"), "w") as f:
        f.write("# Generated by generate.py: the Lab resource's schema as a CustomResourceDefinition.\n")
        yaml.safe_dump(CRD, f, sort_keys=False)
