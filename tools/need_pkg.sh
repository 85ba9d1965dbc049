#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# need_pkg.sh PACKAGE PROBE [PACKAGE PROBE ...]: make sure Debian packages are there.
# PROBE is a command on PATH or an absolute file; a|b means either will do.
# With everything present it does nothing. As root it installs the missing packages
# in one apt-get call; otherwise it prints the one command to run and fails.
set -euo pipefail
(( $# > 0 && $# % 2 == 0 )) || { echo "usage: $0 PACKAGE PROBE [PACKAGE PROBE ...]" >&2; exit 2; }
present() {
  local alt
  IFS='|' read -ra alts <<<"$1"
  for alt in "${alts[@]}"; do
    if [[ $alt == /* ]]; then [[ -e $alt ]] && return 0; else command -v "$alt" >/dev/null && return 0; fi
  done
  return 1
}
missing=()
while (( $# )); do
  present "$2" || missing+=("$1")
  shift 2
done
(( ${#missing[@]} )) || exit 0
if [[ $(id -u) == 0 ]]; then
  echo "installing ${missing[*]}"
  # APT::Sandbox::User=root: some containers deny the _apt user /dev/null.
  apt-get -o APT::Sandbox::User=root update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq "${missing[@]}"
else
  echo "${missing[*]} missing: run  sudo apt-get install ${missing[*]}  and retry" >&2
  exit 1
fi
