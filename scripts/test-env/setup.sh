#!/usr/bin/env bash
# What the test suite needs beyond Node, installed or built once and cached outside the clone. `npm test` runs this
# first (the `pretest` script), so the README's two commands pass on a fresh Debian machine; `.ci/run` goes through
# the same `npm test`.
#
#   1. Debian packages the tests use: haproxy (the local runtime's proxy), iproute2/iptables (netns isolation),
#      procps, libxml2-utils (xmllint checks junit.xml), chromium (report.html opened headless), util-linux
#      (setpriv: test control-plane processes die with their parent), wrk (the benchmark's closed-loop peer),
#      ca-certificates (Go module downloads), unzip (the Go toolchain zip); for the real test node
#      (test/helpers/kube/node.ts): runc (containerd's runtime), gcc and libc6-dev (build.sh compiles the static pause
#      binary), jq (node-image.sh writes the image's JSON). Installed with apt-get as root, only when something is
#      missing.
#   2. A Go toolchain >= 1.26 for the Kubernetes test control plane: the one on PATH or at /usr/local/go/bin/go,
#      else go1.26.8 from the Go module proxy into ${MESHTAX_TOOLS_CACHE:-/var/cache/meshtax-tools}/go.
#   3. scripts/kube-test-env/build.sh: the control plane, cached in ${MESHTAX_KUBE_CACHE:-/var/cache/meshtax-kube}.
#
# Cold on a 2-core machine this takes as long as the control-plane build (see the README); cached, a few seconds.
# MESHTAX_SKIP_TEST_ENV=1 skips it (for a machine set up by other means).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
# The project's own Node (the `node` devDependency) runs the TypeScript helpers below.
export PATH="$ROOT/node_modules/.bin:$PATH"

log() { printf '[test-env] %s\n' "$*" >&2; }

if [ "${MESHTAX_SKIP_TEST_ENV:-}" = 1 ]; then
  log "MESHTAX_SKIP_TEST_ENV=1: not checking packages, Go or the Kubernetes test control plane"
  exit 0
fi
T0=$SECONDS

# ------------------------------------------------------------------ packages
# "command-or-file package" pairs: what the tests run, and the Debian package that brings it.
NEEDS=(
  "haproxy haproxy"
  "ip iproute2"
  "iptables iptables"
  "ps procps"
  "xmllint libxml2-utils"
  "${MESHTAX_CHROMIUM:-/usr/bin/chromium} chromium"
  "setpriv util-linux"
  "wrk wrk"
  "unzip unzip"
  "/etc/ssl/certs/ca-certificates.crt ca-certificates"
  "runc runc"
  "gcc gcc"
  "/usr/include/stdio.h libc6-dev"
  "jq jq"
)
missing=()
for pair in "${NEEDS[@]}"; do
  what="${pair% *}" package="${pair##* }"
  if [[ "$what" == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null 2>&1 && continue; fi
  missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    cat >&2 <<EOF
[test-env] The tests need Debian packages that are not installed: ${missing[*]}
[test-env] Install them as root, then run npm test again:
[test-env]     sudo apt-get install --no-install-recommends ${missing[*]}
[test-env] The network-namespace and Kubernetes tests also need root, so the whole suite runs as root
[test-env] (as .ci/run does): sudo npm test. On a system without apt-get, install the same tools by their names.
EOF
    exit 1
  fi
fi

# ------------------------------------------------------------------------ go
GO_MIN_MINOR=26 # the Kubernetes, etcd and Istio versions build.sh pins build with Go 1.26
go_ok() { # go_ok PATH-TO-GO: a Go 1.x with x >= GO_MIN_MINOR
  local version
  version="$(GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null)" || return 1
  [[ "$version" =~ ^go1\.([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$GO_MIN_MINOR" ]
}
# MESHTAX_GO names the go binary to use (or "none" to take the module proxy's toolchain regardless).
GO=""
for candidate in ${MESHTAX_GO:-"$(command -v go || true)" /usr/local/go/bin/go}; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && go_ok "$candidate"; then GO="$candidate"; break; fi
done
if [ -z "$GO" ]; then
  log "no Go >= 1.$GO_MIN_MINOR on PATH or at /usr/local/go/bin/go: using the toolchain from the Go module proxy"
  GO_BIN="$(node scripts/test-env/go-toolchain.ts "${MESHTAX_TOOLS_CACHE:-/var/cache/meshtax-tools}")"
  GO="$GO_BIN/go"
fi
# build.sh takes the first go on PATH.
export PATH="$(dirname "$GO"):$PATH"
log "go: $GO ($(GOTOOLCHAIN=local "$GO" env GOVERSION))"

# ---------------------------------------------------- kubernetes control plane
# One build at a time on a machine: a second `npm test` started meanwhile waits for the first one's build and then
# finds the cache, instead of building the same binaries again beside it.
KUBE_CACHE_ROOT="${MESHTAX_KUBE_CACHE:-/var/cache/meshtax-kube}"
if mkdir -p "$KUBE_CACHE_ROOT" 2>/dev/null && [ -w "$KUBE_CACHE_ROOT" ]; then
  flock "$KUBE_CACHE_ROOT/.build.lock" bash scripts/kube-test-env/build.sh >/dev/null
else
  # Not ours to write (another user's cache): build.sh only checks a complete cache, and says what is missing.
  bash scripts/kube-test-env/build.sh >/dev/null
fi

log "ready in $((SECONDS - T0)) s"
