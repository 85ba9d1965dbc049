#!/usr/bin/env bash
# need_pkg.sh PACKAGE PATH_OR_COMMAND: make sure a Debian package is there.
# As root it installs the package; otherwise it prints the one command to run.
set -euo pipefail
pkg=$1 probe=$2
if [[ $probe == /* ]]; then [[ -e $probe ]] && exit 0; else command -v "$probe" >/dev/null && exit 0; fi
if [[ $(id -u) == 0 ]]; then
  # APT::Sandbox::User=root: some containers deny the _apt user /dev/null.
  apt-get -o APT::Sandbox::User=root update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq "$pkg"
else
  echo "$pkg is missing: run  sudo apt-get install $pkg  and retry" >&2
  exit 1
fi
