#!/usr/bin/env bash
# Installs every Debian package pdaos needs to build, test and run.
# This is the only place that installs packages; README and .ci/run call it.
# Idempotent; run as root (or through sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config git
	uuid-dev libcmocka-dev
	libfabric-dev libfabric-bin
	libraft-dev libuv1-dev
	liburing-dev libisal-dev libyaml-dev
	libfuse3-dev fuse3
	procps
	fio
	rocksdb-tools
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
