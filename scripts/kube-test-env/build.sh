#!/usr/bin/env bash
# Builds (once) the real Kubernetes control plane used by test/runtimes/kubernetes: kube-apiserver,
# kube-controller-manager, kube-scheduler (from k8s.io/kubernetes), etcd (from
# go.etcd.io/etcd/server/v3) and extracts the Gateway API standard CRDs (from the
# sigs.k8s.io/gateway-api module zip); and Istio's control plane: pilot-discovery (istiod) from
# istio.io/istio, helm from helm.sh/helm/v4, and Istio's charts and CRDs from the same istio.io/istio
# module zip; and a real node for test/helpers/kube/node.ts: kubelet and kube-proxy (k8s.io/kubernetes), containerd,
# its runc shim and ctr (github.com/containerd/containerd/v2), the CNI plugins bridge, host-local, loopback and
# portmap (github.com/containernetworking/plugins), crictl (sigs.k8s.io/cri-tools) and CoreDNS
# (github.com/coredns/coredns, the node's cluster DNS). Everything comes from the Go
# module proxy; runc itself is Debian's (scripts/test-env/setup.sh installs it), and the pod sandbox's pause
# binary is compiled from k8s.io/kubernetes's build/pause/linux/pause.c with the system's gcc.
#
# Cache: ${MESHTAX_KUBE_CACHE:-/var/cache/meshtax-kube}/<k8s-version>/{bin,crds,istio/{bin,charts,crds},node/{bin,cni}}
# A second run with the cache present only checks files and exits.
set -euo pipefail

K8S_VERSION="${MESHTAX_K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${MESHTAX_ETCD_VERSION:-v3.7.3}"
GATEWAY_API_VERSION="${MESHTAX_GATEWAY_API_VERSION:-v1.6.3}"
# istio.io/istio has no tagged release on the module proxy: it serves its main branch as pseudo-versions
# (`go list -m -json istio.io/istio@latest`; `@master` is refused). Pinned: the newest one on 2026-12-02.
ISTIO_VERSION="${MESHTAX_ISTIO_VERSION:-v0.0.0-20260827124520-eed52ebb66ad}"
# The helm that version of istio.io/istio requires itself (its go.mod: helm.sh/helm/v4 v4.2.0).
HELM_VERSION="${MESHTAX_HELM_VERSION:-v4.2.0}"
CONTAINERD_VERSION="${MESHTAX_CONTAINERD_VERSION:-v2.4.2}"
CNI_PLUGINS_VERSION="${MESHTAX_CNI_PLUGINS_VERSION:-v1.10.0}"
# cri-tools follows Kubernetes minors; v1.37.0 is the newest the module proxy serves.
CRI_TOOLS_VERSION="${MESHTAX_CRI_TOOLS_VERSION:-v1.37.0}"
# Cluster DNS for the test node's pods (Service names such as `echo` resolve as on any cluster).
COREDNS_VERSION="${MESHTAX_COREDNS_VERSION:-v1.15.0}"
CACHE_ROOT="${MESHTAX_KUBE_CACHE:-/var/cache/meshtax-kube}"
CACHE="$CACHE_ROOT/$K8S_VERSION"
BIN="$CACHE/bin"
CRDS="$CACHE/crds"
ISTIO="$CACHE/istio"
NODE="$CACHE/node"
NODE_BINS=(containerd containerd-shim-runc-v2 ctr crictl coredns pause)
CNI_PLUGINS=(main/bridge ipam/host-local main/loopback meta/portmap)
# The charts the tests render: base (CRDs), istiod, ztunnel, istio-cni, as `helm install` of the ambient profile uses.
ISTIO_CHARTS=(base istio-control/istio-discovery ztunnel istio-cni)

GO="$(command -v go || true)"
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || { echo "build.sh: no go toolchain found (looked on PATH and /usr/local/go/bin/go)" >&2; exit 1; }
# Never switch toolchains behind our back: these versions build with Go 1.26.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

# v1.37.2 -> v0.37.2 (the published tag of the staging modules of that release)
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
K8S_MINOR="${K8S_VERSION#v1.}"; K8S_MINOR="${K8S_MINOR%%.*}"

KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

log() { printf '[kube-test-env] %s\n' "$*" >&2; }

have_all() {
  local b
  for b in "${KUBE_BINS[@]}" etcd; do [ -x "$BIN/$b" ] || return 1; done
  [ -s "$CRDS/gateway-api-standard.yaml" ] || return 1
  [ -s "$CACHE/versions.txt" ] || return 1
  have_istio || return 1
  have_node || return 1
  return 0
}

have_node() {
  local b
  for b in "${NODE_BINS[@]}"; do [ -x "$NODE/bin/$b" ] || return 1; done
  for b in "${CNI_PLUGINS[@]}"; do [ -x "$NODE/cni/${b##*/}" ] || return 1; done
  [ "$(cat "$NODE/version" 2>/dev/null)" = "$(node_version)" ] || return 1
  return 0
}

node_version() {
  echo "containerd $CONTAINERD_VERSION cni-plugins $CNI_PLUGINS_VERSION cri-tools $CRI_TOOLS_VERSION coredns $COREDNS_VERSION"
}

have_istio() {
  [ -x "$ISTIO/bin/pilot-discovery" ] && [ -x "$ISTIO/bin/helm" ] || return 1
  [ -s "$ISTIO/crds/crd-all.gen.yaml" ] || return 1
  local c
  for c in "${ISTIO_CHARTS[@]}"; do [ -s "$ISTIO/charts/${c##*/}/Chart.yaml" ] || return 1; done
  [ "$(cat "$ISTIO/version" 2>/dev/null)" = "istio.io/istio $ISTIO_VERSION helm $HELM_VERSION" ] || return 1
  return 0
}

print_where() {
  echo "MESHTAX_KUBE_DIR=$CACHE"
  echo "bin:  $BIN"
  ls -1 "$BIN" | sed 's/^/  /'
  echo "crds: $CRDS"
  ls -1 "$CRDS" | sed 's/^/  /'
  echo "istio: $ISTIO ($(cat "$ISTIO/version"))"
  ls -1 "$ISTIO/bin" "$ISTIO/charts" | sed 's/^/  /'
  echo "node: $NODE ($(cat "$NODE/version"))"
  ls -1 "$NODE/bin" "$NODE/cni" | sed 's/^/  /'
  sed 's/^/  /' "$CACHE/versions.txt"
}

if have_all; then
  log "cache present at $CACHE (nothing to build)"
  print_where
  exit 0
fi

mkdir -p "$BIN" "$CRDS" "$ISTIO"
WORK="$(mktemp -d -t meshtax-kube-build.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

timed() { # timed NAME cmd...
  local name="$1"; shift
  local t0=$SECONDS
  "$@"
  log "$name: $((SECONDS - t0)) s"
  [ -f "$WORK/times.txt" ] && sed -i "/^$name build seconds:/d" "$WORK/times.txt"
  echo "$name build seconds: $((SECONDS - t0))" >> "$WORK/times.txt"
}

# ---------------------------------------------------------------- kubernetes
build_kube() {
  local b missing=0
  for b in "${KUBE_BINS[@]}"; do [ -x "$BIN/$b" ] || missing=1; done
  if [ "$missing" = 0 ]; then log "${KUBE_BINS[*]}: cached"; return; fi
  local mod="$WORK/kube"
  mkdir -p "$mod"
  cd "$mod"
  "$GO" mod init meshtax.local/kube-test-env >/dev/null 2>&1
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
  # ./staging paths; those replaces are ignored in a dependent module, so point each one
  # at its published tag.
  local gomod
  gomod="$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -s "$gomod" ] || { log "could not download k8s.io/kubernetes@$K8S_VERSION go.mod"; exit 1; }
  local staging
  staging="$(awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { print $1 }' "$gomod" | sort -u)"
  local args=(-require="k8s.io/kubernetes@$K8S_VERSION")
  local m
  for m in $staging; do args+=(-replace="$m=$m@$STAGING_VERSION"); done
  "$GO" mod edit "${args[@]}"
  local pkgs=()
  for m in "${KUBE_BINS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$m@$K8S_VERSION"); done
  "$GO" get "${pkgs[@]}" >/dev/null
  local ld="-s -w"
  ld+=" -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ld+=" -X k8s.io/component-base/version.gitMajor=1"
  ld+=" -X k8s.io/component-base/version.gitMinor=$K8S_MINOR"
  ld+=" -X k8s.io/component-base/version.gitTreeState=clean"
  ld+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  for m in "${KUBE_BINS[@]}"; do
    if [ -x "$BIN/$m" ]; then log "$m: cached"; continue; fi
    log "building $m $K8S_VERSION (sequential; several minutes cold)"
    timed "$m" "$GO" build -p 2 -trimpath -ldflags="$ld" -o "$BIN/$m.tmp" "k8s.io/kubernetes/cmd/$m"
    mv "$BIN/$m.tmp" "$BIN/$m"
  done
}

# ---------------------------------------------------------------------- etcd
build_etcd() {
  if [ -x "$BIN/etcd" ]; then log "etcd: cached"; return; fi
  local mod="$WORK/etcd"
  mkdir -p "$mod"
  cd "$mod"
  "$GO" mod init meshtax.local/etcd-build >/dev/null 2>&1
  "$GO" get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  log "building etcd $ETCD_VERSION"
  timed etcd "$GO" build -p 2 -trimpath -ldflags="-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN/etcd.tmp" "$BIN/etcd"
}

# ------------------------------------------------------------- gateway CRDs
extract_crds() {
  if [ -s "$CRDS/gateway-api-standard.yaml" ]; then log "gateway-api CRDs: cached"; return; fi
  local dir
  dir="$("$GO" mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -d "$dir/config/crd/standard" ] || { log "no config/crd/standard in gateway-api $GATEWAY_API_VERSION ($dir)"; exit 1; }
  local out="$CRDS/gateway-api-standard.yaml.tmp" f
  : > "$out"
  for f in "$dir"/config/crd/standard/*.yaml; do
    printf -- '---\n# source: sigs.k8s.io/gateway-api@%s %s\n' "$GATEWAY_API_VERSION" "${f#"$dir"/}" >> "$out"
    cat "$f" >> "$out"
    printf '\n' >> "$out"
  done
  mv "$out" "$CRDS/gateway-api-standard.yaml"
  log "gateway-api $GATEWAY_API_VERSION standard CRDs: $(grep -c '^kind: CustomResourceDefinition' "$CRDS/gateway-api-standard.yaml") CRDs"
}

# --------------------------------------------------------------------- istio
# `go install pkg@version` builds with istio.io/istio's own go.mod, exactly as upstream pins its dependencies.
build_istio() {
  if have_istio; then log "istio: cached"; return; fi
  rm -rf "$ISTIO"
  mkdir -p "$ISTIO/bin" "$ISTIO/charts" "$ISTIO/crds"
  log "building pilot-discovery (istiod) istio.io/istio@$ISTIO_VERSION"
  timed pilot-discovery env GOBIN="$ISTIO/bin" "$GO" install -p 2 -trimpath -ldflags="-s -w" "istio.io/istio/pilot/cmd/pilot-discovery@$ISTIO_VERSION"
  log "building helm $HELM_VERSION"
  timed helm env GOBIN="$ISTIO/bin" "$GO" install -p 2 -trimpath -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  local dir c
  dir="$("$GO" mod download -json "istio.io/istio@$ISTIO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -d "$dir/manifests/charts" ] || { log "no manifests/charts in istio.io/istio@$ISTIO_VERSION ($dir)"; exit 1; }
  for c in "${ISTIO_CHARTS[@]}"; do
    cp -R "$dir/manifests/charts/$c" "$ISTIO/charts/${c##*/}"
  done
  cp "$dir/manifests/charts/base/files/crd-all.gen.yaml" "$ISTIO/crds/crd-all.gen.yaml"
  chmod -R u+w "$ISTIO/charts" "$ISTIO/crds" # the module cache is read-only
  echo "istio.io/istio $ISTIO_VERSION helm $HELM_VERSION" > "$ISTIO/version"
  log "istio $ISTIO_VERSION: charts ${ISTIO_CHARTS[*]}, $(grep -c '^kind: CustomResourceDefinition' "$ISTIO/crds/crd-all.gen.yaml") CRDs"
}

# ------------------------------------------------------------------- coredns
# CoreDNS with the four plugins the test node's Corefile uses (bind, errors, cache, kubernetes), registered as
# CoreDNS documents for builds with a chosen plugin set (a main that imports them and sets dnsserver.Directives,
# in the order of its core/dnsserver/zdirectives.go); the full build also compiles every cloud provider's SDK,
# which the test node never uses. Dependencies at the versions github.com/coredns/coredns's own go.mod requires.
build_coredns() {
  local mod="$WORK/coredns"
  mkdir -p "$mod"
  (
    cd "$mod"
    "$GO" mod init meshtax.local/coredns >/dev/null 2>&1
    cat > main.go <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
)

func init() { dnsserver.Directives = []string{"bind", "errors", "cache", "kubernetes"} }

func main() { coremain.Run() }
GO
    "$GO" get "github.com/coredns/coredns@$COREDNS_VERSION" >/dev/null
    "$GO" mod tidy >/dev/null
    log "building coredns $COREDNS_VERSION (bind, errors, cache, kubernetes)"
    timed coredns "$GO" build -p 2 -trimpath -ldflags="-s -w" -o "$NODE/bin/coredns" .
  )
}

# ---------------------------------------------------------------------- node
# `go install pkg@version` builds each with its own module's go.mod, as upstream pins its dependencies. Static
# (CGO_ENABLED=0, as upstream builds the shim and the plugins); containerd without cgo leaves out the btrfs and
# devmapper snapshotters, which the test node does not use (it uses overlayfs).
build_node() {
  if have_node; then log "node: cached"; return; fi
  rm -rf "$NODE"
  mkdir -p "$NODE/bin" "$NODE/cni"
  local b
  for b in containerd containerd-shim-runc-v2 ctr; do
    log "building $b $CONTAINERD_VERSION"
    timed "$b" env GOBIN="$NODE/bin" "$GO" install -p 2 -trimpath -tags "no_btrfs no_devmapper" \
      -ldflags="-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
      "github.com/containerd/containerd/v2/cmd/$b@$CONTAINERD_VERSION"
  done
  log "building crictl $CRI_TOOLS_VERSION"
  timed crictl env GOBIN="$NODE/bin" "$GO" install -p 2 -trimpath -ldflags="-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRI_TOOLS_VERSION" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRI_TOOLS_VERSION"
  build_coredns
  local pkgs=()
  for b in "${CNI_PLUGINS[@]}"; do pkgs+=("github.com/containernetworking/plugins/plugins/$b@$CNI_PLUGINS_VERSION"); done
  log "building CNI plugins ${CNI_PLUGINS[*]} $CNI_PLUGINS_VERSION"
  timed cni-plugins env GOBIN="$NODE/cni" "$GO" install -p 2 -trimpath -ldflags="-s -w" "${pkgs[@]}"
  # The pod sandbox's process (the image CRI starts first in every pod): Kubernetes' own pause.c from the same
  # k8s.io/kubernetes module zip, static, so its image needs no other file.
  local kdir
  kdir="$("$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$kdir/build/pause/linux/pause.c" ] || { log "no build/pause/linux/pause.c in k8s.io/kubernetes@$K8S_VERSION ($kdir)"; exit 1; }
  timed pause gcc -Os -Wall -Werror -static -DVERSION="$K8S_VERSION-meshtax" -o "$NODE/bin/pause" "$kdir/build/pause/linux/pause.c"
  strip "$NODE/bin/pause"
  node_version > "$NODE/version"
}

T0=$SECONDS
# Build times of pieces built by an earlier run stay in versions.txt.
[ -f "$CACHE/versions.txt" ] && grep ' build seconds: ' "$CACHE/versions.txt" | grep -v '^total' > "$WORK/times.txt" || true
build_kube
build_etcd
extract_crds
build_istio
build_node
{
  echo "kubernetes $K8S_VERSION (staging $STAGING_VERSION)"
  echo "etcd $ETCD_VERSION"
  echo "gateway-api $GATEWAY_API_VERSION (standard channel CRDs)"
  echo "istio.io/istio $ISTIO_VERSION (pilot-discovery, charts ${ISTIO_CHARTS[*]}, crd-all.gen.yaml)"
  echo "helm $HELM_VERSION"
  echo "$(node_version) (containerd, containerd-shim-runc-v2, ctr, crictl, coredns, CNI ${CNI_PLUGINS[*]}, pause)"
  echo "go $("$GO" env GOVERSION)"
  [ -f "$WORK/times.txt" ] && cat "$WORK/times.txt"
  echo "total build seconds (this run): $((SECONDS - T0))"
} > "$CACHE/versions.txt"
log "done in $((SECONDS - T0)) s"
print_where
