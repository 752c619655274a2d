#!/usr/bin/env bash
# install.sh — install claudecode2api as a systemd service (idempotent; see --help).
# The steps live in tools/install/*.sh, sourced from this checkout whatever the current directory.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # bash 5.2: keep "&" literal in ${var//x/y}

readonly APP=claudecode2api
readonly UNIT_NAME="$APP.service"
readonly DEFAULT_DENO_VERSION=2.9.6
readonly SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

REPO_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
readonly REPO_DIR
DENO_VERSION=${DENO_VERSION:-$DEFAULT_DENO_VERSION}

# shellcheck source=tools/install/usage.sh
source "$REPO_DIR/tools/install/usage.sh"
# shellcheck source=tools/install/common.sh
source "$REPO_DIR/tools/install/common.sh"
# shellcheck source=tools/install/options.sh
source "$REPO_DIR/tools/install/options.sh"
# shellcheck source=tools/install/uninstall.sh
source "$REPO_DIR/tools/install/uninstall.sh"
# shellcheck source=tools/install/deno.sh
source "$REPO_DIR/tools/install/deno.sh"
# shellcheck source=tools/install/env_file.sh
source "$REPO_DIR/tools/install/env_file.sh"
# shellcheck source=tools/install/claude_cli.sh
source "$REPO_DIR/tools/install/claude_cli.sh"
# shellcheck source=tools/install/unit.sh
source "$REPO_DIR/tools/install/unit.sh"

# What was done, and the commands to go on with.
summary() {
  local sc rerun jc
  echo
  if ((DRY_RUN)); then
    say "Dry run finished: $CHANGES change(s) would be made; nothing was changed."
    exit 0
  elif ((CHANGES == 0)); then
    say "Nothing to do: everything is already installed and up to date (no changes made)."
  else
    say "Done: $CHANGES change(s) made."
  fi
  sc="${SUDO_HINT}${SYSTEMCTL[*]}"
  # The same install again, as it was asked for this time.
  rerun="${SUDO_HINT}./install.sh"
  if [[ $MODE == user ]]; then rerun+=" --user"; fi
  if [[ -n $SVC_USER_OPT ]]; then rerun+=" --service-user $SVC_USER_OPT"; fi
  if [[ $MODE == user ]]; then jc="journalctl --user -u"; else jc="journalctl -u"; fi
  cat <<EOT

Next steps:
  edit settings:   $ENV_FILE   (AUTH_USER / AUTH_PASSWORD, PORT, ...)
  start / restart: $sc restart $APP
  status:          $sc status $APP
  logs:            $jc $APP -f
  upgrade:         git pull && $rerun && $sc restart $APP
EOT
  if [[ $MODE == user ]]; then
    echo "  start at boot without logging in:  sudo loginctl enable-linger $SVC_USER"
  fi
}

main() {
  parse_args "$@"
  resolve_service_user
  detect_systemd
  if ((DRY_RUN)); then say "Dry run: nothing will be changed."; fi
  if [[ $ACTION == uninstall ]]; then
    uninstall
    exit 0
  fi
  say "Installing $APP from $REPO_DIR ($MODE unit, service user: $SVC_USER)"
  preflight
  step_deno
  step_dependencies
  step_env
  step_cli
  step_unit
  summary
}

main "$@"
