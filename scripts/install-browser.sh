#!/usr/bin/env bash
# What the browser tests (tests/test_browser_*.py) and scripts/screenshots.py need on a
# machine: headless Chromium, fonts for every script, a Java runtime for the W3C Nu HTML
# checker (Debian packages, installed when missing and run as root), and axe-core plus the
# Nu checker (vnu.jar) from npm into .browser-tools/. Browser downloads from other hosts are
# not needed: Playwright drives the distribution's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v java >/dev/null || need+=(default-jre-headless)
command -v npm >/dev/null || need+=(npm)
command -v pdftotext >/dev/null || need+=(poppler-utils)
for pkg in fonts-noto-core fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]}"
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]}: run this script as root" >&2
  fi
fi

# Pinned versions; --ignore-scripts: vnu-jar's own post-install would fetch a Java runtime.
if [ ! -f .browser-tools/node_modules/axe-core/axe.min.js ] \
   || [ ! -f .browser-tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  mkdir -p .browser-tools
  npm install --prefix .browser-tools --no-audit --no-fund --ignore-scripts --silent \
    axe-core@4 vnu-jar@26 >/dev/null
fi
command -v chromium >/dev/null && chromium --version
