# shellcheck shell=bash
# usage: the text of ./install.sh --help.

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
