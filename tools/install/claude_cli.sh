# shellcheck shell=bash
# Step 4: where the Claude Code CLI is, and whether the service user has a login for it.

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

find_claude() {
  local c
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
}

# The service has no browser: it needs a login saved for its user, or a key or token in .env.
check_claude_login() {
  local login_cmd
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
}

step_cli() {
  say "Step 4/5: Claude Code CLI"
  load_npm_global_bin
  find_claude
  check_claude_login
}
