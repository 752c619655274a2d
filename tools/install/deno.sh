# shellcheck shell=bash
# Steps 1 and 2: a Deno 2 to run the server with (found or installed), and its dependency cache.

DENO_BIN=

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

step_deno() {
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
}

step_dependencies() {
  local lock_before
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
}
