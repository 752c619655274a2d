# shellcheck shell=bash disable=SC2034 # the globals set here are read by the other parts of install.sh
# Output, running commands (as the service user, or only shown under --dry-run) and writing files.

say() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

CHANGES=0
changed() { # counts a change; under --dry-run the "[dry-run] would ..." line already said it
  CHANGES=$((CHANGES + 1))
  if ((!DRY_RUN)); then info "$*"; fi
}

# Prints a command readably: words quoted only when they need it.
show_cmd() {
  local a out=''
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@%+,~-]+$ ]]; then out+=" $a"; else out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  printf '%s' "${out# }"
}

# Runs a command, or only prints it under --dry-run. "run as_user cmd..." is shown as "[as USER] cmd...".
run() {
  local who=''
  if [[ $1 == as_user ]]; then who="[as $SVC_USER] " && shift; fi
  if ((DRY_RUN)); then
    printf '    [dry-run] would run: %s%s\n' "$who" "$(show_cmd "$@")"
  else
    printf '    $ %s%s\n' "$who" "$(show_cmd "$@")"
    if [[ -n $who ]]; then as_user "$@"; else "$@"; fi
  fi
}

# Runs a command as the service user (matters under sudo: Deno cache, npm config, installer).
as_user() {
  if ((EUID == 0)) && [[ $SVC_USER != root ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$SVC_USER" -- env HOME="$SVC_HOME" "$@"
    elif command -v sudo >/dev/null 2>&1; then
      sudo -u "$SVC_USER" -H "$@"
    else
      die "need runuser or sudo to run commands as $SVC_USER"
    fi
  else
    "$@"
  fi
}

file_sum() { if [[ -e $1 ]]; then cksum <"$1"; else echo none; fi; }

abs_path() { printf '%s/%s\n' "$(cd -- "$(dirname -- "$1")" && pwd -P)" "$(basename -- "$1")"; }

# Paths end up in a unit file: refuse characters that systemd would interpret or split on.
check_unit_path() {
  local what=$1 value=$2
  [[ $value == /* ]] || die "$what must be an absolute path: $value"
  if [[ ! $value =~ ^[A-Za-z0-9._/+@:,=~-]+$ ]]; then
    die "$what contains characters that are unsafe in a systemd unit (space, %, \$, quotes...): $value
       Move it to a simpler path and run install.sh again."
  fi
}

# npm's global bin directory, asked once (as the service user). npm would otherwise leave a debug
# log and a cache directory in $HOME, so it gets a throwaway cache.
NPM_GLOBAL_BIN=
NPM_CHECKED=0
load_npm_global_bin() {
  local tmp prefix
  if ((NPM_CHECKED)) || ! command -v npm >/dev/null 2>&1; then return 0; fi
  NPM_CHECKED=1
  tmp=$(as_user mktemp -d) || return 0
  prefix=$(as_user timeout 30 npm prefix -g --logs-max=0 --cache="$tmp/cache" 2>/dev/null) || prefix=
  rm -rf -- "$tmp"
  if [[ $prefix == /* ]]; then NPM_GLOBAL_BIN="$prefix/bin"; fi
  return 0
}

# Writes $2 (content) to file $1 with mode $3 unless it already has exactly that content.
# Sets WROTE=1 when it (would have) written. Not used in a condition, so set -e stays in force.
WROTE=0
write_if_changed() {
  local dest=$1 content=$2 mode=$3 tmp
  WROTE=0
  if [[ -f $dest ]] && [[ $(cat -- "$dest") == "$content" ]]; then
    info "unchanged: $dest"
    return 0
  fi
  if ((DRY_RUN)); then
    info "[dry-run] would write $dest (mode $mode)"
  else
    mkdir -p -- "$(dirname -- "$dest")"
    tmp=$(mktemp "$dest.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    mv -f -- "$tmp" "$dest"
  fi
  WROTE=1
  changed "wrote $dest"
}
