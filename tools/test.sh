#!/usr/bin/env bash
# The whole test suite. Installs what the end-to-end tests need when it is missing: the pinned Claude Code
# CLI from npm into .cache/claude-code. Chromium (for the docs browser test) comes from the system
# (Debian: apt-get install chromium); without it that test is skipped outside CI.
set -euo pipefail

CLAUDE_CODE_VERSION=2.1.328
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

pinned="$root/.cache/claude-code/node_modules/.bin/claude"
if [ -z "${CLAUDE_PATH:-}" ]; then
  if ! { [ -x "$pinned" ] && "$pinned" --version 2>/dev/null | grep -q "^$CLAUDE_CODE_VERSION "; }; then
    echo "Installing Claude Code CLI $CLAUDE_CODE_VERSION from npm into .cache/claude-code ..." >&2
    npm install --prefix "$root/.cache/claude-code" --no-audit --no-fund --loglevel=error \
      "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >&2
  fi
  export CLAUDE_PATH="$pinned"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
deno test --allow-all "$@" tests/ 2>&1 | tee "$log" || status=$?
# One plain summary line for tools that read it: "tests: N passed, N failed".
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)
passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
