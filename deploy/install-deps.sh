#!/usr/bin/env bash
# install-deps.sh — installs the Debian 12 packages needed to build, test and run the CII feedback bus.
# Skips apt-get entirely when every package is already installed, so reruns are fast and offline-safe.
# Used by deploy/demo.sh and deploy/ci-test.sh; run as root (or with everything already installed).
set -euo pipefail

packages=(gcc libc6-dev make cmake pkg-config libzmq3-dev libczmq-dev libprotobuf-c-dev protobuf-c-compiler
                 libpq-dev libsqlite3-dev libcmocka-dev libjansson-dev libcurl4-openssl-dev libssl-dev postgresql)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query, not `dpkg -s | grep -q`: with pipefail, grep -q closing the pipe early fails the test
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
