#!/usr/bin/env bash
# Headless Chromium and fonts for every script, for screenshot checks of the pages
# (Debian packages; run as root). The test suite does not need them.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-core fonts-dejavu-core \
  poppler-utils >/dev/null
chromium --version
