#!/usr/bin/env bash
# End to end on kind, for users with a container engine (Docker or Podman): a three-node cluster, the Gateway API
# CRDs, Istio with the ambient profile and Linkerd, then `meshtax run` on every Kubernetes mode.
#
#   scripts/kind-e2e.sh                         # create, install, run scenarios/pilot-kubernetes.yaml, delete
#   KEEP_CLUSTER=1 scripts/kind-e2e.sh          # leave the cluster for another run
#   SCENARIO=scenarios/kubernetes/linkerd.yaml scripts/kind-e2e.sh
#
# Needs: kind, kubectl, curl, and Node 22.19+ or 24+ with this checkout installed (npm ci). istioctl and the linkerd CLI are
# downloaded into .e2e-bin/ at the versions below unless they are on PATH already.
set -euo pipefail

CLUSTER=${CLUSTER:-meshtax}
CONTEXT="kind-${CLUSTER}"
SCENARIO=${SCENARIO:-scenarios/pilot-kubernetes.yaml}
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.4.0}
ISTIO_VERSION=${ISTIO_VERSION:-1.28.0}
OUT=${OUT:-results}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="${ROOT}/.e2e-bin"
mkdir -p "$BIN"
export PATH="${BIN}:${HOME}/.linkerd2/bin:${PATH}"

need() { command -v "$1" >/dev/null || { echo "kind-e2e: $1 is needed: $2" >&2; exit 2; }; }
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need curl "your package manager"

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -z "${KEEP_CLUSTER:-}" ]]; then kind delete cluster --name "$CLUSTER" || true; fi
}
trap cleanup EXIT

if ! kind get clusters | grep -qx "$CLUSTER"; then
  # Two workers: the load generator and the echo server on different nodes, as meshtax places them.
  kind create cluster --name "$CLUSTER" --wait 120s --config - <<'KIND'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
  - role: worker
KIND
fi
kubectl config use-context "$CONTEXT" >/dev/null

# Gateway API first: Istio's waypoints are Gateways, and istiod creates the istio-waypoint class only when the CRDs exist.
kubectl apply --server-side -f "https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml"

if ! command -v istioctl >/dev/null; then
  (cd "$BIN" && curl -sSL https://istio.io/downloadIstio | ISTIO_VERSION="$ISTIO_VERSION" sh - >/dev/null && ln -sf "istio-${ISTIO_VERSION}/bin/istioctl" istioctl)
fi
istioctl install -y --set profile=ambient
kubectl -n istio-system rollout status deploy/istiod --timeout=300s
kubectl -n istio-system rollout status ds/ztunnel --timeout=300s
kubectl -n istio-system rollout status ds/istio-cni-node --timeout=300s

if ! command -v linkerd >/dev/null; then
  curl -sSfL https://run.linkerd.io/install-edge | sh
fi
linkerd check --pre
linkerd install --crds | kubectl apply -f -
linkerd install | kubectl apply -f -
linkerd check

cd "$ROOT"
npx meshtax doctor --runtime kubernetes --context "$CONTEXT"
set +e
npx meshtax run "$SCENARIO" --context "$CONTEXT" --out "$OUT"
status=$?
set -e
# Nothing of meshtax's may be left, whatever the run's outcome.
left=$(kubectl get namespaces -l app.kubernetes.io/managed-by=meshtax -o name)
if [[ -n "$left" ]]; then
  echo "kind-e2e: namespaces left behind: $left" >&2
  exit 1
fi
exit "$status"
