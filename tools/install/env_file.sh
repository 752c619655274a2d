# shellcheck shell=bash
# Step 3: the server's .env, created once from .env.example with a generated password, never overwritten.

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

# Prints $1 (a .env text) with AUTH_PASSWORD set to $2: every active AUTH_PASSWORD= line; if there is
# none, the first "# AUTH_PASSWORD=" line uncommented; if there is none either, a line appended.
with_password() {
  awk -v pw="$2" '
    { line[NR] = $0 }
    /^[[:space:]]*(export[[:space:]]+)?AUTH_PASSWORD[[:space:]]*=/ { active[NR] = 1; nactive++ }
    /^[[:space:]]*#[#[:space:]]*AUTH_PASSWORD[[:space:]]*=/ && !firstc { firstc = NR }
    END {
      for (i = 1; i <= NR; i++) {
        if (active[i] || (!nactive && i == firstc)) print "AUTH_PASSWORD=" pw
        else print line[i]
      }
      if (!nactive && !firstc) print "AUTH_PASSWORD=" pw
    }' <<<"$1"
}

# True when bubblewrap makes a sandbox here for the service user (as the gateway's SANDBOX=bwrap needs).
sandbox_works() {
  command -v bwrap >/dev/null 2>&1 &&
    as_user bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --die-with-parent true >/dev/null 2>&1
}

create_env_file() {
  local template source_desc password content tmp
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
  content=$(with_password "$template" "$password")
  if sandbox_works; then
    # shellcheck disable=SC2001 # a whole-line edit, which ${content//…} cannot anchor
    content=$(sed 's/^SANDBOX=off$/SANDBOX=bwrap/' <<<"$content")
    info "bubblewrap works here: SANDBOX=bwrap, each chat runs in its own sandbox (SECURITY.md)"
  else
    info "bubblewrap is missing or cannot make a sandbox here: SANDBOX stays off" \
      "(apt-get install bubblewrap, then set SANDBOX=bwrap in .env; see SECURITY.md)"
  fi
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
}

# Mode 600, owned by the service user, and no trailing comments that systemd would keep in a value.
check_env_file() {
  local mode
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
}

step_env() {
  say "Step 3/5: configuration (.env)"
  if [[ -f $ENV_FILE ]]; then
    info "kept existing $ENV_FILE (never overwritten)"
    if [[ -z $(env_value AUTH_PASSWORD) ]]; then
      warn "AUTH_PASSWORD is empty in $ENV_FILE: set one before starting the service"
    fi
  else
    create_env_file
  fi
  if [[ -f $ENV_FILE ]]; then check_env_file; fi
}
