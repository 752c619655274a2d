#!/usr/bin/env bash
# install.sh — install claudecode2api as a systemd service (idempotent; see --help).
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # bash 5.2: keep "&" literal in ${var//x/y}

readonly APP=claudecode2api
readonly UNIT_NAME="$APP.service"
readonly DEFAULT_DENO_VERSION=2.9.6
readonly SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

REPO_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
readonly REPO_DIR
DENO_VERSION=${DENO_VERSION:-$DEFAULT_DENO_VERSION}

usage() {
  cat <<EOF
Usage: ./install.sh [OPTIONS]

Installs claudecode2api (this checkout: $REPO_DIR) as a systemd service.
Safe to run again: a second run changes nothing and says so.

Steps:
  1. Find Deno 2 (deno on PATH, ~/.deno/bin/deno, ./node_modules/.bin/deno,
     ./.cache/deno — where ./bin/deno puts it) or install deno@$DENO_VERSION: with npm first
     (npm install -g as root or when npm's prefix is writable, else into ./.cache/deno),
     then with the official installer (curl -fsSL https://deno.land/install.sh | sh).
  2. Cache the dependencies (deno install --entrypoint main.ts), as the service user.
  3. Create .env from .env.example with a generated AUTH_PASSWORD (mode 600).
     An existing .env is never overwritten.
  4. Report the Claude Code CLI it finds, or how to install it, and whether the service user
     has a login or .env a CLAUDE_CODE_OAUTH_TOKEN / ANTHROPIC_API_KEY (how to add one if not).
  5. Render claudecode2api.service (the template next to this script) into
     /etc/systemd/system/ (or ~/.config/systemd/user/ with --user),
     then systemctl daemon-reload and systemctl enable. The service is not started.
  If ./$APP (from "deno task compile") exists, the unit runs that binary instead of Deno.

Options:
  --user               install a systemd user unit for the current user (no sudo needed;
                       run "loginctl enable-linger \$USER" to start it at boot)
  --uninstall          stop/disable and remove the unit file and its enable symlink only
                       (never .env, Deno, the dependency cache or this checkout)
  --dry-run            print every step without changing anything
  --root DIR           install into the tree DIR instead of / (same as DESTDIR=DIR): the unit
                       goes to DIR/etc/systemd/system/, enabling is done by symlink and
                       systemctl is never called. Paths inside the unit stay the real ones.
  --service-user NAME  run the service as NAME (default: \$SUDO_USER under sudo, else you)
  --allow-root         allow the service to run as root (not recommended). As root without
                       sudo, pass --service-user NAME or --allow-root: install.sh refuses otherwise
  --no-cache           skip step 2 (also: CLAUDECODE2API_SKIP_DENO_CACHE=1)
  -h, --help           show this help

Environment:
  DESTDIR=DIR                       same as --root DIR
  DENO_VERSION=X.Y.Z                Deno version to install when none is found ($DEFAULT_DENO_VERSION)
  CLAUDECODE2API_SKIP_DENO_CACHE=1  same as --no-cache

Examples:
  sudo ./install.sh                 system service running as the invoking (sudo) user
  ./install.sh --user               user service, no root
  ./install.sh --dry-run            show what would happen
  sudo ./install.sh --uninstall
EOF
}

# --- output helpers ------------------------------------------------------------------------------
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

# --- arguments ----------------------------------------------------------------------------------
MODE=system
ACTION=install
DRY_RUN=0
ALLOW_ROOT=0
NO_CACHE=0
SVC_USER_OPT=
ROOT=${DESTDIR:-}
[[ ${CLAUDECODE2API_SKIP_DENO_CACHE:-} == 1 ]] && NO_CACHE=1

while (($#)); do
  case $1 in
    --user) MODE=user ;;
    --uninstall) ACTION=uninstall ;;
    --dry-run) DRY_RUN=1 ;;
    --allow-root) ALLOW_ROOT=1 ;;
    --no-cache) NO_CACHE=1 ;;
    --root | --service-user)
      (($# >= 2)) || die "$1 needs an argument (see --help)"
      if [[ $1 == --root ]]; then ROOT=$2; else SVC_USER_OPT=$2; fi
      shift
      ;;
    --root=*) ROOT=${1#--root=} ;;
    --service-user=*) SVC_USER_OPT=${1#--service-user=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done

if [[ -n $ROOT ]]; then
  [[ $ROOT == /* ]] || ROOT="$PWD/$ROOT"
  if ((!DRY_RUN)); then mkdir -p -- "$ROOT" || die "cannot create --root/DESTDIR directory: $ROOT"; fi
  if [[ -d $ROOT ]]; then ROOT=$(cd -- "$ROOT" && pwd -P); fi
  if [[ $ROOT == / ]]; then ROOT=; fi
fi

# --- who runs the service -----------------------------------------------------------------------
if [[ -n $SVC_USER_OPT ]]; then
  SVC_USER=$SVC_USER_OPT
elif ((EUID == 0)) && [[ -n ${SUDO_USER:-} && ${SUDO_USER:-} != root ]]; then
  SVC_USER=$SUDO_USER
else
  SVC_USER=$(id -un)
fi
PASSWD_LINE=$(getent passwd "$SVC_USER") || die "no such user: $SVC_USER"
SVC_UID=$(cut -d: -f3 <<<"$PASSWD_LINE")
SVC_HOME=$(cut -d: -f6 <<<"$PASSWD_LINE")
readonly SVC_USER SVC_UID SVC_HOME

if [[ $MODE == user ]]; then
  UNIT_DIR_REAL="$SVC_HOME/.config/systemd/user"
  WANTED_BY=default.target
  SYSTEMCTL=(systemctl --user)
  SUDO_HINT=
else
  UNIT_DIR_REAL=/etc/systemd/system
  WANTED_BY=multi-user.target
  SYSTEMCTL=(systemctl)
  SUDO_HINT="sudo "
fi
readonly UNIT_PATH_REAL="$UNIT_DIR_REAL/$UNIT_NAME"
readonly UNIT_DIR="$ROOT$UNIT_DIR_REAL"
readonly UNIT_FILE="$UNIT_DIR/$UNIT_NAME"
readonly WANTS_LINK="$UNIT_DIR/$WANTED_BY.wants/$UNIT_NAME"

# Is there a service manager we may talk to? Never with --root/DESTDIR.
SYSTEMD_LIVE=0
SYSTEMD_WHY=
if [[ -n $ROOT ]]; then
  SYSTEMD_WHY="target tree is $ROOT (--root/DESTDIR): systemctl is not called"
elif ! command -v systemctl >/dev/null 2>&1; then
  SYSTEMD_WHY="systemctl not found"
elif [[ ! -d /run/systemd/system ]]; then
  SYSTEMD_WHY="systemd is not running (container or chroot?)"
elif [[ $MODE == user ]] && ! systemctl --user show-environment >/dev/null 2>&1; then
  SYSTEMD_WHY="no systemd user manager reachable for $SVC_USER (try a login session, or: loginctl enable-linger $SVC_USER)"
else
  SYSTEMD_LIVE=1
fi

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

# --- uninstall ----------------------------------------------------------------------------------
uninstall() {
  say "Uninstalling $UNIT_NAME ($MODE unit${ROOT:+ under $ROOT})"
  local removed=0 d
  if ((SYSTEMD_LIVE)) && [[ -e $UNIT_FILE || -L $WANTS_LINK ]]; then
    run "${SYSTEMCTL[@]}" disable --now "$UNIT_NAME" || warn "systemctl disable --now failed; removing the files anyway"
  elif ((!SYSTEMD_LIVE)); then
    info "$SYSTEMD_WHY"
  fi
  if [[ -L $WANTS_LINK || -e $WANTS_LINK ]]; then
    if ((DRY_RUN)); then info "[dry-run] would remove $WANTS_LINK"; else rm -f -- "$WANTS_LINK" && info "removed $WANTS_LINK"; fi
    removed=$((removed + 1))
  fi
  if [[ -e $UNIT_FILE ]]; then
    if ((DRY_RUN)); then info "[dry-run] would remove $UNIT_FILE"; else rm -f -- "$UNIT_FILE" && info "removed $UNIT_FILE"; fi
    removed=$((removed + 1))
  fi
  # A --root/DESTDIR tree is a staging area: drop the directories that are now empty.
  if [[ -n $ROOT ]] && ((!DRY_RUN)); then
    for d in "$UNIT_DIR/$WANTED_BY.wants" "$UNIT_DIR"; do
      while [[ $d == "$ROOT"/* && -d $d ]] && rmdir -- "$d" 2>/dev/null; do d=$(dirname -- "$d"); done
    done
  fi
  if ((removed)) && ((SYSTEMD_LIVE)); then run "${SYSTEMCTL[@]}" daemon-reload; fi
  if ((removed == 0)); then
    say "Nothing to uninstall: $UNIT_FILE is not installed (no changes made)."
  elif ((DRY_RUN)); then
    say "Dry run finished: $removed file(s) would be removed; nothing was changed."
  else
    say "Uninstalled. Kept: $REPO_DIR/.env, Deno, the Deno cache and this checkout."
  fi
}

if [[ $ACTION == uninstall ]]; then
  ((DRY_RUN)) && say "Dry run: nothing will be changed."
  uninstall
  exit 0
fi

# --- install: preflight -------------------------------------------------------------------------
((DRY_RUN)) && say "Dry run: nothing will be changed."
say "Installing $APP from $REPO_DIR ($MODE unit, service user: $SVC_USER)"

if ((SVC_UID == 0)) && ((!ALLOW_ROOT)); then
  die "refusing to run the service as root: the Claude Code CLI executes arbitrary tools.
       Run it from your normal account with sudo (the service runs as \$SUDO_USER),
       pick a user with --service-user NAME (e.g. useradd -m claude-user, then ./install.sh --service-user claude-user),
       or pass --allow-root if you really mean it."
fi
if [[ $MODE == user && -z $ROOT ]] && ((EUID == 0)) && [[ $SVC_USER != root ]]; then
  die "--user installs a unit for the current user: run it as $SVC_USER, without sudo"
fi
[[ -f $REPO_DIR/claudecode2api.service ]] || die "template not found: $REPO_DIR/claudecode2api.service"
check_unit_path "the checkout directory" "$REPO_DIR"
check_unit_path "the home directory of $SVC_USER" "$SVC_HOME"
if [[ -z $ROOT ]] && ((!DRY_RUN)); then
  probe=$UNIT_DIR
  while [[ ! -d $probe ]]; do probe=$(dirname -- "$probe"); done
  [[ -w $probe ]] || die "cannot write $UNIT_DIR: run with sudo (or use --user for a per-user unit)"
fi

if [[ ! -f $REPO_DIR/.env && ! -w $REPO_DIR ]] && ((!DRY_RUN)); then
  die "cannot create $REPO_DIR/.env: run install.sh as the owner of the checkout (or with sudo)"
fi

BINARY="$REPO_DIR/$APP"
EXEC_MODE=deno
if [[ -f $BINARY && -x $BINARY ]]; then
  EXEC_MODE=binary
elif [[ ! -f $REPO_DIR/main.ts ]]; then
  die "main.ts not found in $REPO_DIR (is this a complete checkout?)"
fi

# --- step 1: Deno -------------------------------------------------------------------------------
DENO_BIN=

abs_path() { printf '%s/%s\n' "$(cd -- "$(dirname -- "$1")" && pwd -P)" "$(basename -- "$1")"; }

# A Deno 2 (or later) that runs.
usable_deno() {
  local major
  [[ -f $1 && -x $1 ]] || return 1
  major=$("$1" --version 2>/dev/null | sed -n '1s/^deno \([0-9]\{1,\}\)\..*/\1/p') || return 1
  [[ -n $major ]] && ((major >= 2))
}

find_deno() {
  local c candidates=()
  c=$(command -v deno 2>/dev/null) && candidates+=("$c")
  candidates+=("$SVC_HOME/.deno/bin/deno")
  [[ -n ${HOME:-} && ${HOME:-} != "$SVC_HOME" ]] && candidates+=("$HOME/.deno/bin/deno")
  candidates+=("$REPO_DIR/node_modules/.bin/deno" "$REPO_DIR/.cache/deno/node_modules/.bin/deno")
  for c in "${candidates[@]}"; do
    if usable_deno "$c"; then
      DENO_BIN=$(abs_path "$c")
      return 0
    fi
  done
  # Where "npm install -g deno" puts it, which may not be on this PATH (sudo, ~/.npm-global).
  load_npm_global_bin
  if [[ -n $NPM_GLOBAL_BIN ]] && usable_deno "$NPM_GLOBAL_BIN/deno"; then
    DENO_BIN=$(abs_path "$NPM_GLOBAL_BIN/deno")
    return 0
  fi
  return 1
}

install_deno() {
  local gbin
  if command -v npm >/dev/null 2>&1; then
    load_npm_global_bin
    gbin=$NPM_GLOBAL_BIN
    if [[ -n $gbin ]] && { ((EUID == 0)) || [[ -w $(dirname -- "$gbin") ]]; }; then
      say "Installing Deno $DENO_VERSION with npm (global, into $(dirname -- "$gbin"))"
      run npm install -g --no-audit --no-fund "deno@$DENO_VERSION"
      DENO_BIN="$gbin/deno"
    else
      # Same place as ./bin/deno uses (.cache/ is git-ignored).
      say "Installing Deno $DENO_VERSION with npm (local, into $REPO_DIR/.cache/deno)"
      run as_user npm install --no-audit --no-fund --loglevel=error --prefix "$REPO_DIR/.cache/deno" "deno@$DENO_VERSION"
      DENO_BIN="$REPO_DIR/.cache/deno/node_modules/.bin/deno"
    fi
  elif command -v curl >/dev/null 2>&1; then
    say "Installing Deno $DENO_VERSION with the official installer into $SVC_HOME/.deno"
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    run as_user sh -c 'curl -fsSL https://deno.land/install.sh | sh -s -- -y --no-modify-path "v$1"' sh "$DENO_VERSION"
    DENO_BIN="$SVC_HOME/.deno/bin/deno"
  else
    die "Deno not found and neither npm nor curl is available.
       Install Deno 2 (https://docs.deno.com/runtime/getting_started/installation/) and run install.sh again."
  fi
  if ((!DRY_RUN)); then
    usable_deno "$DENO_BIN" || die "Deno installation failed: $DENO_BIN is not a working Deno 2"
    DENO_BIN=$(abs_path "$DENO_BIN")
    changed "installed Deno: $DENO_BIN"
  fi
}

say "Step 1/5: Deno"
if [[ $EXEC_MODE == binary ]]; then
  info "compiled binary found: $BINARY — the service runs it; Deno is not needed at runtime"
  if [[ -f $REPO_DIR/main.ts && $REPO_DIR/main.ts -nt $BINARY ]]; then
    warn "$BINARY is older than main.ts: rebuild it with 'deno task compile' (or delete it to run main.ts with Deno)"
  fi
elif find_deno; then
  info "found: $DENO_BIN ($("$DENO_BIN" --version 2>/dev/null | head -n 1))"
else
  install_deno
fi
if [[ $EXEC_MODE == deno ]]; then
  check_unit_path "the Deno executable" "$DENO_BIN"
  if ((!DRY_RUN && EUID == 0)) && [[ $SVC_USER != root ]] && ! as_user test -x "$DENO_BIN"; then
    warn "$SVC_USER cannot execute $DENO_BIN; the service will fail to start"
  fi
fi

# --- step 2: dependency cache -------------------------------------------------------------------
say "Step 2/5: dependencies"
if [[ $EXEC_MODE == binary ]]; then
  info "skipped (compiled binary)"
elif ((NO_CACHE)); then
  info "skipped (--no-cache / CLAUDECODE2API_SKIP_DENO_CACHE=1)"
else
  lock_before=$(file_sum "$REPO_DIR/deno.lock")
  info "caching what main.ts imports (the first time this downloads npm packages)"
  (cd -- "$REPO_DIR" && run as_user "$DENO_BIN" install --quiet --entrypoint main.ts) ||
    die "caching the dependencies failed (network? see the output above)"
  if ((DRY_RUN)); then
    : # the "[dry-run] would run" line above says it all
  elif [[ $(file_sum "$REPO_DIR/deno.lock") != "$lock_before" ]]; then
    changed "updated $REPO_DIR/deno.lock"
  else
    info "dependencies cached for $SVC_USER"
  fi
fi

# --- step 3: .env -------------------------------------------------------------------------------
say "Step 3/5: configuration (.env)"
ENV_FILE="$REPO_DIR/.env"
ENV_EXAMPLE="$REPO_DIR/.env.example"

env_value() { # prints KEY's value from $ENV_FILE (last assignment wins), without quotes
  [[ -f $ENV_FILE ]] || return 0
  sed -n "s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}$1=//p" "$ENV_FILE" | tail -n 1 |
    sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

generate_password() { # 48 hex characters = 192 bits from the kernel CSPRNG
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
}

if [[ -f $ENV_FILE ]]; then
  info "kept existing $ENV_FILE (never overwritten)"
  if [[ -z $(env_value AUTH_PASSWORD) ]]; then
    warn "AUTH_PASSWORD is empty in $ENV_FILE: set one before starting the service"
  fi
else
  if [[ -f $ENV_EXAMPLE ]]; then
    template=$(cat -- "$ENV_EXAMPLE")
    source_desc="from .env.example"
  else
    warn ".env.example not found; writing a minimal .env"
    template=$'# claudecode2api configuration (see README.md)\nAUTH_USER=admin\nAUTH_PASSWORD='
    source_desc="minimal"
  fi
  password=$(generate_password)
  ((${#password} >= 32)) || die "could not generate a password from /dev/urandom"
  # Set every active AUTH_PASSWORD= line; if there is none, uncomment the first
  # "# AUTH_PASSWORD=" line; if there is none either, append one.
  content=$(awk -v pw="$password" '
    { line[NR] = $0 }
    /^[[:space:]]*(export[[:space:]]+)?AUTH_PASSWORD[[:space:]]*=/ { active[NR] = 1; nactive++ }
    /^[[:space:]]*#[#[:space:]]*AUTH_PASSWORD[[:space:]]*=/ && !firstc { firstc = NR }
    END {
      for (i = 1; i <= NR; i++) {
        if (active[i] || (!nactive && i == firstc)) print "AUTH_PASSWORD=" pw
        else print line[i]
      }
      if (!nactive && !firstc) print "AUTH_PASSWORD=" pw
    }' <<<"$template")
  if ((DRY_RUN)); then
    info "[dry-run] would create $ENV_FILE ($source_desc, generated AUTH_PASSWORD, mode 600)"
  else
    tmp=$(umask 077 && mktemp "$ENV_FILE.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod 600 "$tmp"
    mv -f -- "$tmp" "$ENV_FILE"
  fi
  changed "created $ENV_FILE ($source_desc) with a generated AUTH_PASSWORD (48 characters)"
  info "the password is in $ENV_FILE — show it with: grep '^AUTH_PASSWORD=' $ENV_FILE"
fi
if [[ -f $ENV_FILE ]]; then
  mode=$(stat -c %a -- "$ENV_FILE")
  if [[ $mode != 600 ]]; then
    run chmod 600 "$ENV_FILE"
    changed "set mode 600 on $ENV_FILE (was $mode)"
  fi
  if ((EUID == 0)) && [[ $(stat -c %u -- "$ENV_FILE") != "$SVC_UID" ]]; then
    run chown "$SVC_USER" "$ENV_FILE"
    changed "gave $ENV_FILE to $SVC_USER (the server reads it)"
  fi
  if grep -nE '^[A-Za-z_][A-Za-z0-9_]*=[^"'"'"'#]*[[:space:]]#' "$ENV_FILE" >/dev/null; then
    warn "$ENV_FILE has trailing '# comments' after values; systemd's EnvironmentFile= keeps them as part of the value"
  fi
fi

# --- step 4: Claude Code CLI --------------------------------------------------------------------
say "Step 4/5: Claude Code CLI"
load_npm_global_bin
CLAUDE_BIN=
claude_candidates() {
  local p
  p=${CLAUDE_PATH:-$(env_value CLAUDE_PATH)}
  [[ -n $p ]] && printf '%s\n' "$p"
  command -v claude 2>/dev/null || true
  printf '%s\n' "$SVC_HOME/.local/bin/claude" "$SVC_HOME/.claude/local/claude" \
    "$SVC_HOME/.npm-global/bin/claude" /usr/local/bin/claude /opt/homebrew/bin/claude
  if [[ -n $NPM_GLOBAL_BIN ]]; then printf '%s/claude\n' "$NPM_GLOBAL_BIN"; fi
  return 0
}
while IFS= read -r c; do
  if [[ $c != */* ]]; then c=$(command -v "$c" 2>/dev/null) || continue; fi
  if [[ -f $c && -x $c ]]; then
    CLAUDE_BIN=$(abs_path "$c")
    break
  fi
done < <(claude_candidates)
if [[ -n $CLAUDE_BIN ]]; then
  info "found: $CLAUDE_BIN"
  [[ -n $(env_value CLAUDE_PATH) ]] || info "its directory is put on the service's PATH (or set CLAUDE_PATH in .env)"
else
  warn "Claude Code CLI not found (looked at CLAUDE_PATH, PATH, ~/.local/bin, ~/.claude/local, ~/.npm-global/bin, /usr/local/bin, /opt/homebrew/bin, npm's global bin)"
  info "install it as $SVC_USER with:  npm install -g @anthropic-ai/claude-code"
  info "then run install.sh again (or set CLAUDE_PATH in .env)"
fi
# The service has no browser: it needs a login saved for its user, or a key or token in .env.
if [[ -n $(env_value CLAUDE_CODE_OAUTH_TOKEN) || -n $(env_value ANTHROPIC_API_KEY) ]]; then
  info "login: .env sets CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_API_KEY for the CLI"
elif [[ -f $SVC_HOME/.claude/.credentials.json ]]; then
  info "login: $SVC_USER is logged in ($SVC_HOME/.claude/.credentials.json)"
else
  warn "no Claude login for $SVC_USER, and .env sets neither CLAUDE_CODE_OAUTH_TOKEN nor ANTHROPIC_API_KEY"
  info "give the service one (README.md, \"Logging the CLI in on a server\"):"
  info "  a long-lived token: run 'claude setup-token' anywhere with a browser, then in $ENV_FILE:"
  info "    CLAUDE_CODE_OAUTH_TOKEN=<the token>"
  info "  or an API key from console.anthropic.com, in $ENV_FILE:  ANTHROPIC_API_KEY=<the key>"
  if [[ $SVC_USER == "$(id -un)" ]]; then login_cmd=claude; else login_cmd="sudo -u $SVC_USER -i claude"; fi
  info "  or log in as $SVC_USER once:  $login_cmd   (then /login)"
fi

# --- step 5: systemd unit -----------------------------------------------------------------------
say "Step 5/5: systemd unit"

# The unit's PATH: where Deno and the CLI live, the user's usual bin dirs, then the system's.
unit_path() {
  local out='' d dirs=()
  [[ $EXEC_MODE == deno ]] && dirs+=("$(dirname -- "$DENO_BIN")")
  [[ -n $CLAUDE_BIN ]] && dirs+=("$(dirname -- "$CLAUDE_BIN")")
  dirs+=("$SVC_HOME/.local/bin" "$SVC_HOME/.npm-global/bin" "$SVC_HOME/.deno/bin" "$SVC_HOME/.bun/bin")
  if [[ -n $NPM_GLOBAL_BIN ]]; then dirs+=("$NPM_GLOBAL_BIN"); fi
  for d in "${dirs[@]}"; do
    [[ -d $d && $d =~ ^[A-Za-z0-9._/+@,=~-]+$ ]] || continue
    case ":$out:$SYSTEM_PATH:" in *":$d:"*) continue ;; esac
    out+="${out:+:}$d"
  done
  printf '%s\n' "${out:+$out:}$SYSTEM_PATH"
}

render_unit() {
  local text line out skip=0 header=1
  text=$(cat -- "$REPO_DIR/claudecode2api.service")
  out="# Generated by install.sh from $REPO_DIR/claudecode2api.service — edit that and re-run install.sh."$'\n\n'
  while IFS= read -r line || [[ -n $line ]]; do
    # The template's own header (everything before [Unit]) explains the template, not the unit.
    if ((header)); then
      [[ $line == '['* ]] || continue
      header=0
    fi
    case $line in
      '# >>> system-only'*) [[ $MODE == user ]] && skip=1; continue ;;
      '# <<< system-only'*) skip=0 && continue ;;
      WantedBy=*) line="WantedBy=$WANTED_BY" ;;
    esac
    ((skip)) && continue
    if [[ $EXEC_MODE == binary && $line == ExecStart=* ]]; then
      line="ExecStart=@WORKDIR@/$APP"
    fi
    line=${line//@USER@/$SVC_USER}
    line=${line//@HOME@/$SVC_HOME}
    line=${line//@WORKDIR@/$REPO_DIR}
    line=${line//@DENO@/$DENO_BIN}
    line=${line//@PATH@/$UNIT_PATH}
    out+="$line"$'\n'
  done <<<"$text"
  printf '%s' "$out"
}

UNIT_PATH=$(unit_path)
UNIT_CONTENT=$(render_unit)
if grep -qE '@(USER|HOME|WORKDIR|DENO|PATH)@' <<<"$UNIT_CONTENT"; then
  die "internal error: unfilled placeholder in the rendered unit"
fi
info "ExecStart=$(sed -n 's/^ExecStart=//p' <<<"$UNIT_CONTENT")"
if ((DRY_RUN)); then
  while IFS= read -r line; do printf '    | %s\n' "$line"; done <<<"$UNIT_CONTENT"
fi
write_if_changed "$UNIT_FILE" "$UNIT_CONTENT" 644
UNIT_CHANGED=$WROTE

if ((SYSTEMD_LIVE)); then
  if ((UNIT_CHANGED)); then run "${SYSTEMCTL[@]}" daemon-reload; fi
  if "${SYSTEMCTL[@]}" is-enabled --quiet "$UNIT_NAME" 2>/dev/null; then
    info "already enabled"
  else
    run "${SYSTEMCTL[@]}" enable "$UNIT_NAME"
    changed "enabled $UNIT_NAME"
  fi
else
  info "$SYSTEMD_WHY"
  # Same symlink "systemctl enable" would create, so the unit starts once systemd runs.
  if [[ -L $WANTS_LINK && $(readlink -- "$WANTS_LINK") == "$UNIT_PATH_REAL" ]]; then
    info "already enabled: $WANTS_LINK"
  else
    if ((DRY_RUN)); then
      info "[dry-run] would link $WANTS_LINK -> $UNIT_PATH_REAL"
    else
      mkdir -p -- "$(dirname -- "$WANTS_LINK")"
      ln -sfn -- "$UNIT_PATH_REAL" "$WANTS_LINK"
    fi
    changed "enabled by symlink: $WANTS_LINK -> $UNIT_PATH_REAL"
  fi
fi

# --- summary ------------------------------------------------------------------------------------
echo
if ((DRY_RUN)); then
  say "Dry run finished: $CHANGES change(s) would be made; nothing was changed."
  exit 0
elif ((CHANGES == 0)); then
  say "Nothing to do: everything is already installed and up to date (no changes made)."
else
  say "Done: $CHANGES change(s) made."
fi
SC="${SUDO_HINT}${SYSTEMCTL[*]}"
# The same install again, as it was asked for this time.
RERUN="${SUDO_HINT}./install.sh"
[[ $MODE == user ]] && RERUN+=" --user"
[[ -n $SVC_USER_OPT ]] && RERUN+=" --service-user $SVC_USER_OPT"
if [[ $MODE == user ]]; then JC="journalctl --user -u"; else JC="journalctl -u"; fi
cat <<EOF

Next steps:
  edit settings:   $ENV_FILE   (AUTH_USER / AUTH_PASSWORD, PORT, ...)
  start / restart: $SC restart $APP
  status:          $SC status $APP
  logs:            $JC $APP -f
  upgrade:         git pull && $RERUN && $SC restart $APP
EOF
if [[ $MODE == user ]]; then
  echo "  start at boot without logging in:  sudo loginctl enable-linger $SVC_USER"
fi
