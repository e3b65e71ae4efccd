#!/usr/bin/env bash
# Installs headless Chromium from Debian's packages (and a font), for `tests/browser.rs`, when it
# is missing. Needs root or sudo and access to the Debian mirrors.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    echo "== chromium: $(chromium --version 2>/dev/null | head -1)"
    exit 0
fi
echo "== chromium: installing from Debian's packages"
sudo=""
if [[ "$(id -u)" != 0 ]]; then
    sudo="sudo"
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
chromium --version
