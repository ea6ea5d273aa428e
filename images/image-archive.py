#!/usr/bin/python3
"""Writes a `docker load` archive of one image from a root directory, for any architecture:
`docker import` on this engine cannot mark an image as another architecture's, `docker load`
takes what the image's config says.

Usage: image-archive.py ROOT REF ARCH [VARIANT] > image.tar
       (then: docker load < image.tar)   e.g. image-archive.py /tmp/root lab/busybox:arm64 arm64 v8
The image runs /bin/idle when it has one (the stand-ins' idle loop), else /bin/sh.
"""
import hashlib
import io
import json
import os
import sys
import tarfile
import time

root, ref, arch = sys.argv[1:4]
variant = sys.argv[4] if len(sys.argv) > 4 else ""

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name in sorted(os.listdir(root)):
        t.add(os.path.join(root, name), arcname=name)
layer_bytes = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer_bytes).hexdigest()

cmd = ["/bin/idle"] if os.path.exists(os.path.join(root, "bin", "idle")) else ["/bin/sh"]
config = {
    "architecture": arch,
    "os": "linux",
    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "config": {"Cmd": cmd, "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
               "Labels": {"dev.labkeeper.stand-in": "arch"}},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created_by": "labkeeper images/image-archive.py"}],
}
if variant:
    config["variant"] = variant
config_bytes = json.dumps(config, sort_keys=True).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
manifest = [{"Config": config_name, "RepoTags": [ref], "Layers": ["layer/layer.tar"]}]

with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as out:
    for name, data in ((config_name, config_bytes), ("layer/layer.tar", layer_bytes),
                       ("manifest.json", json.dumps(manifest).encode())):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        out.addfile(info, io.BytesIO(data))
