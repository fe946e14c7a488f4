#!/usr/bin/env bash
# Installs the Debian packages the platform benefits from, where this machine allows it:
#   libharfbuzz-subset0  makes WeasyPrint's font subsetting (certificate PDFs) about ten times faster
#   chromium             drives the browser and accessibility tests
#   default-jre-headless runs the Nu HTML Checker (npm's vnu-jar) that the browser tests use
#   wrk                  the load generator of `make bench` (pages and quiz submissions on loopback)
# Never fails the build: without them the app still runs (a system check warns about HarfBuzz,
# and the browser tests say why they cannot run).
set -u
wanted=(libharfbuzz-subset0 chromium wrk)
# Any Java will do (whatever package brought it): only a machine without one gets Debian's.
command -v java >/dev/null 2>&1 || wanted+=(default-jre-headless)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; install ${missing[*]} (or equivalents) yourself."
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "system-deps: not root; ask an administrator to run: apt-get install ${missing[*]}"
    exit 0
  fi
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when the package lists do not know the packages yet.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  $sudo apt-get update -qq || true
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "system-deps: could not install ${missing[*]}; continuing without them."
exit 0
