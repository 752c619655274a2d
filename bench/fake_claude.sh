#!/usr/bin/env bash
# The benchmark's stand-in for the Claude Code CLI: it reads the prompt from stdin to EOF (as `claude -p`
# does), takes it as the path of a precomputed stream-json transcript, and replays that file at full speed.
# `cat` does the copying, so the fake costs next to nothing next to the gateway it feeds.
# A prompt "paced <ms> <path>" replays one line per write, <ms> apart, like the real CLI prints
# (through paced_replay.ts; needs BENCH_DENO, the deno executable).
if [ "${1:-}" = "--version" ]; then
  echo "2.1.328 (Claude Code)"
  exit 0
fi
# `read` is a builtin: no fork to read the prompt. It returns 1 at EOF, which is expected here.
IFS= read -r -d '' prompt || true
prompt=${prompt%%$'\n'*}
case "$prompt" in
  "paced "*)
    read -r _ pause path <<<"$prompt"
    exec "${BENCH_DENO:-deno}" run --allow-read --no-prompt "${BASH_SOURCE%/*}/paced_replay.ts" "$path" "$pause"
    ;;
esac
exec cat -- "$prompt"
