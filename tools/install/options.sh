# shellcheck shell=bash disable=SC2034 # the globals set here are read by the other parts of install.sh
# What to do, for whom and where: the command line, the service user, the unit's paths and whether a
# systemd manager may be talked to.

MODE=system
ACTION=install
DRY_RUN=0
ALLOW_ROOT=0
NO_CACHE=0
SVC_USER_OPT=
ROOT=${DESTDIR:-}
if [[ ${CLAUDECODE2API_SKIP_DENO_CACHE:-} == 1 ]]; then NO_CACHE=1; fi

parse_args() {
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
}

# Who runs the service, and where its unit goes.
resolve_service_user() {
  local passwd_line
  if [[ -n $SVC_USER_OPT ]]; then
    SVC_USER=$SVC_USER_OPT
  elif ((EUID == 0)) && [[ -n ${SUDO_USER:-} && ${SUDO_USER:-} != root ]]; then
    SVC_USER=$SUDO_USER
  else
    SVC_USER=$(id -un)
  fi
  passwd_line=$(getent passwd "$SVC_USER") || die "no such user: $SVC_USER"
  SVC_UID=$(cut -d: -f3 <<<"$passwd_line")
  SVC_HOME=$(cut -d: -f6 <<<"$passwd_line")
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
}

# Is there a service manager we may talk to? Never with --root/DESTDIR.
SYSTEMD_LIVE=0
SYSTEMD_WHY=
detect_systemd() {
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
}

# Refuses what cannot work before anything is changed, and picks what the unit runs.
preflight() {
  local probe
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
}
