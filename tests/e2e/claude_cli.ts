/**
 * Helpers to run the real `claude` CLI against a {@link FakeMessagesApi}, fully offline.
 *
 * @module
 */

import type { FakeMessagesApi } from "./fake_messages_api.ts";

/**
 * Path of the `claude` executable: env `CLAUDE_PATH` if set, else `claude` found on `PATH`.
 * Throws a clear error when neither exists (CI installs the CLI).
 */
export function resolveClaudePath(): string {
  const fromEnv = Deno.env.get("CLAUDE_PATH");
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(
        `CLAUDE_PATH=${fromEnv} is not an executable file. Install Claude Code or fix CLAUDE_PATH.`,
      );
    }
    return fromEnv;
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const candidate = `${dir}/claude`;
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new Error(
    "The `claude` CLI was not found: set CLAUDE_PATH to its path or put `claude` on PATH " +
      "(npm install -g @anthropic-ai/claude-code). The e2e tests drive the real CLI.",
  );
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Environment that points the CLI at the fake: `ANTHROPIC_BASE_URL`, a dummy
 * `ANTHROPIC_API_KEY`, `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1`, `HOME` (a temp dir so the
 * real `~/.claude` is never touched) and `CLAUDE_CODE_MAX_RETRIES=0` so 5xx answers fail fast.
 * `extra` entries override these.
 */
export function fakeApiEnv(
  api: Pick<FakeMessagesApi, "url">,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: "sk-ant-fake-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    HOME: home,
    ...extra,
  };
}

/** Options of {@link runClaude}. */
export interface RunClaudeOptions {
  /** CLI arguments after the executable (default: `-p --output-format=stream-json --verbose`). */
  args?: string[];
  /** Prompt written to stdin, which is then closed. */
  prompt: string;
  /** Working directory of the CLI. */
  cwd: string;
  /** Environment added to the inherited one (use {@link fakeApiEnv}). */
  env: Record<string, string>;
  /** Kill the CLI with SIGKILL after this many ms (default 30 000). */
  timeoutMs?: number;
}

/** Outcome of {@link runClaude}. */
export interface ClaudeRun {
  /** Exit code. */
  code: number;
  /** Terminating signal, if any. */
  signal: Deno.Signal | null;
  /** Whole stdout. */
  stdout: string;
  /** Whole stderr. */
  stderr: string;
  /** Every stdout line parsed as JSON (non-JSON lines skipped). */
  lines: Record<string, unknown>[];
  /** Wall-clock time from spawn to exit. */
  durationMs: number;
  /** Whether the timeout killed the CLI. */
  timedOut: boolean;
}

/** Default stream-json arguments. */
export const STREAM_JSON_ARGS = ["-p", "--output-format=stream-json", "--verbose"];

/** A running CLI started by {@link spawnClaude}. */
export interface ClaudeProcess {
  /** The child process (e.g. `child.kill("SIGINT")`). */
  child: Deno.ChildProcess;
  /** Resolves once the CLI exited and its output was read. */
  done: Promise<ClaudeRun>;
}

/**
 * Spawns the CLI, writes the prompt on stdin and closes it. The returned `done` resolves on exit;
 * always await it (it owns the pipes) so `deno test` sanitizers pass.
 */
export function spawnClaude(opts: RunClaudeOptions): ClaudeProcess {
  const started = performance.now();
  const child = new Deno.Command(resolveClaudePath(), {
    args: opts.args ?? STREAM_JSON_ARGS,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs ?? 30_000);
  const done = (async (): Promise<ClaudeRun> => {
    try {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(opts.prompt)).catch(() => {});
      await writer.close().catch(() => {});
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout);
      return {
        code: out.code,
        signal: out.signal,
        stdout,
        stderr: new TextDecoder().decode(out.stderr),
        lines: parseJsonLines(stdout),
        durationMs: Math.round(performance.now() - started),
        timedOut,
      };
    } finally {
      clearTimeout(timer);
    }
  })();
  return { child, done };
}

/** Runs the CLI to completion (see {@link spawnClaude}). */
export function runClaude(opts: RunClaudeOptions): Promise<ClaudeRun> {
  return spawnClaude(opts).done;
}

/** Parses newline-delimited JSON, skipping blank or non-JSON lines. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line));
    } catch { /* not JSON */ }
  }
  return lines;
}

/** Creates temp `home` and `cwd` dirs; `cleanup()` removes both. */
export async function makeTempDirs(
  prefix = "cc2api-e2e-",
): Promise<{ home: string; cwd: string; cleanup(): Promise<void> }> {
  const home = await Deno.makeTempDir({ prefix: `${prefix}home-` });
  const cwd = await Deno.makeTempDir({ prefix: `${prefix}cwd-` });
  return {
    home,
    cwd,
    async cleanup() {
      await Deno.remove(home, { recursive: true }).catch(() => {});
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    },
  };
}
