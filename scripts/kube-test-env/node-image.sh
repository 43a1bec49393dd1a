#!/usr/bin/env bash
# Writes an OCI image archive (image layout in a tar, as `ctr images import` reads it) with the two images the test
# node (test/helpers/kube/node.ts) runs without a registry:
#   - NODE-IMAGE: the Node binary of this checkout's `node` devDependency, the shared libraries it loads (from ldd,
#     copied from this machine), /etc/passwd and /etc/group with the `node` user (uid 1000, the user meshtax's pods
#     run as) and a /tmp. meshtax's own code is not in the image: the runtime mounts it from a ConfigMap
#     (src/runtimes/kubernetes/code-bundle.ts), as it does on stock node images.
#   - PAUSE-IMAGE: the pod sandbox, the static pause binary build.sh compiles from Kubernetes' pause.c.
#
#   bash scripts/kube-test-env/node-image.sh OUT.tar NODE-IMAGE PAUSE-IMAGE PAUSE-BINARY
#
# Deterministic for the same inputs (sorted tars, fixed mtimes and owners).
set -euo pipefail
USAGE="usage: node-image.sh OUT.tar NODE-IMAGE PAUSE-IMAGE PAUSE-BINARY"
OUT="${1:?$USAGE}"
NAME="${2:?$USAGE}"
PAUSE_NAME="${3:?$USAGE}"
PAUSE_BIN="${4:?$USAGE}"
[ -x "$PAUSE_BIN" ] || { echo "node-image.sh: no pause binary at $PAUSE_BIN; run bash scripts/kube-test-env/build.sh" >&2; exit 1; }
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NODE_BIN="$(readlink -f "$ROOT/node_modules/node/bin/node")"
[ -x "$NODE_BIN" ] || { echo "node-image.sh: no Node binary at $ROOT/node_modules/node/bin/node; run npm ci first" >&2; exit 1; }

WORK="$(mktemp -d -t meshtax-node-image.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
FS="$WORK/rootfs"
mkdir -p "$FS/usr/local/bin" "$FS/etc" "$FS/tmp" "$FS/lib64" "$WORK/layout/blobs/sha256"
cp "$NODE_BIN" "$FS/usr/local/bin/node"
# Every library the binary loads, at the path the loader finds it (ldd: "name => /path (addr)" and the loader itself).
while read -r lib; do
  mkdir -p "$FS$(dirname "$lib")"
  cp -L "$lib" "$FS$lib"
done < <(ldd "$NODE_BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/tmp:/usr/sbin/nologin\n' > "$FS/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$FS/etc/group"
chmod 1777 "$FS/tmp"

blob() { # blob FILE -> "digest size", moved into the layout
  local digest size
  digest="$(sha256sum "$1" | cut -d' ' -f1)"
  size="$(stat -c %s "$1")"
  mv "$1" "$WORK/layout/blobs/sha256/$digest"
  echo "$digest $size"
}

MANIFESTS="$WORK/manifests.jsonl"
: > "$MANIFESTS"
# image ROOTFS NAME CONFIG-JSON: one layer (an uncompressed tar, so its digest is its diff_id and import needs no
# decompression), its config and manifest, and the manifest's entry in the index under NAME.
image() {
  local rootfs="$1" name="$2" config="$3" layer_digest layer_size config_digest config_size manifest_digest manifest_size
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$WORK/layer.tar" .
  read -r layer_digest layer_size < <(blob "$WORK/layer.tar")
  jq -c --arg layer "sha256:$layer_digest" '. + { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [$layer] } }' <<< "$config" > "$WORK/config.json"
  read -r config_digest config_size < <(blob "$WORK/config.json")
  jq -cn --arg config "sha256:$config_digest" --argjson configSize "$config_size" --arg layer "sha256:$layer_digest" --argjson layerSize "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $configSize },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $layer, size: $layerSize }]
  }' > "$WORK/manifest.json"
  read -r manifest_digest manifest_size < <(blob "$WORK/manifest.json")
  jq -cn --arg manifest "sha256:$manifest_digest" --argjson size "$manifest_size" --arg name "$name" '{
    mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $manifest, size: $size,
    platform: { architecture: "amd64", os: "linux" },
    annotations: { "io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $name }
  }' >> "$MANIFESTS"
}

node_version="$("$NODE_BIN" --version)"
image "$FS" "$NAME" "$(jq -cn --arg version "$node_version" '{
  config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=\($version)"], Cmd: ["node"], WorkingDir: "/", User: "1000:1000" },
  history: [{ created_by: "scripts/kube-test-env/node-image.sh (node \($version))" }]
}')"

PAUSE_FS="$WORK/pause"
mkdir -p "$PAUSE_FS"
cp "$PAUSE_BIN" "$PAUSE_FS/pause"
# As upstream's pause image: the binary at /pause, run as 65535 (k8s.io/kubernetes build/pause/Dockerfile:19).
image "$PAUSE_FS" "$PAUSE_NAME" '{ "config": { "Entrypoint": ["/pause"], "User": "65535:65535" }, "history": [{ "created_by": "scripts/kube-test-env/node-image.sh (pause)" }] }'

jq -cs '{ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: . }' "$MANIFESTS" > "$WORK/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$WORK/layout/oci-layout"
mkdir -p "$(dirname "$OUT")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$WORK/layout" -cf "$OUT.tmp" .
mv "$OUT.tmp" "$OUT"
