/**
 * The real `claude` CLI in stream-json input mode with stdin kept open, so a test can talk to it turn by
 * turn: send user messages and control requests, wait for stdout lines, answer permission prompts.
 *
 * ```ts
 * const session = startClaudeSession({ cwd, env: fakeApiEnv(api, home), extraArgs: ["--permission-prompt-tool=stdio"] });
 * await session.send(userMessage("hi"));
 * const result = await session.waitForLine((l) => l.type === "result", 15_000, "the result");
 * const run = await session.end();
 * ```
 *
 * @module
 */

import { type ClaudeRun, parseJsonLines, resolveClaudePath } from "./claude_cli.ts";
import type { Json } from "./chat_lines.ts";
import { waitUntil } from "./waiting.ts";

/** The arguments of a stream-json session (input and output). */
export const SESSION_ARGS = ["-p", "--input-format=stream-json", "--output-format=stream-json", "--verbose"];

/** Options of {@link startClaudeSession}. */
export interface ClaudeSessionOptions {
  /** Working directory of the CLI. */
  cwd: string;
  /** Environment added to the inherited one (use `fakeApiEnv`). */
  env: Record<string, string>;
  /** Arguments after {@link SESSION_ARGS}, e.g. `["--permission-prompt-tool=stdio"]`. */
  extraArgs?: string[];
  /** Kill the CLI with SIGKILL after this many ms (default 60 000). */
  timeoutMs?: number;
}

/** A running stream-json CLI; see {@link startClaudeSession}. */
export interface ClaudeSession {
  /** The child process. */
  readonly child: Deno.ChildProcess;
  /** Stdout lines parsed so far, in order (non-JSON lines skipped). */
  readonly lines: readonly Json[];
  /** Writes one JSON line to stdin. */
  send(line: Json): Promise<void>;
  /**
   * Resolves with the first stdout line (already printed or future) matching `predicate`.
   * @throws {Error} after `timeoutMs`, naming `what`
   */
  waitForLine(predicate: (line: Json) => boolean, timeoutMs: number, what: string): Promise<Json>;
  /** Closes stdin and resolves once the CLI exited (at the latest when the timeout kills it). */
  end(): Promise<ClaudeRun>;
}

/** A user message line, its content a string or content blocks. */
export function userMessage(content: string | Json[]): Json {
  return { type: "user", message: { role: "user", content }, parent_tool_use_id: null };
}

/** A control request line, e.g. `controlRequest("int1", { subtype: "interrupt" })`. */
export function controlRequest(requestId: string, request: Json): Json {
  return { type: "control_request", request_id: requestId, request };
}

/** The answer to the CLI's `can_use_tool` request `requestId`: allow, with the (possibly changed) input. */
export function allowTool(requestId: string, updatedInput: Json): Json {
  return {
    type: "control_response",
    response: { subtype: "success", request_id: requestId, response: { behavior: "allow", updatedInput } },
  };
}

/**
 * Spawns the CLI with {@link SESSION_ARGS} and stdin open, reading stdout line by line as it comes.
 * Always `await session.end()` (it owns the pipes) so `deno test` sanitizers pass.
 * @param opts cwd, env, extra arguments, timeout
 */
export function startClaudeSession(opts: ClaudeSessionOptions): ClaudeSession {
  const started = performance.now();
  const child = new Deno.Command(resolveClaudePath(), {
    args: [...SESSION_ARGS, ...(opts.extraArgs ?? [])],
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
  }, opts.timeoutMs ?? 60_000);
  const lines: Json[] = [];
  let stdout = "";
  const readStdout = (async () => {
    let pending = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      const parts = (pending + chunk).split("\n");
      pending = parts.pop()!;
      lines.push(...parseJsonLines(parts.join("\n")));
    }
    lines.push(...parseJsonLines(pending));
  })();
  const readStderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  let ending: Promise<ClaudeRun> | undefined;
  const session: ClaudeSession = {
    child,
    lines,
    async send(line) {
      await writer.write(new TextEncoder().encode(JSON.stringify(line) + "\n"));
    },
    async waitForLine(predicate, timeoutMs, what) {
      await waitUntil(() => lines.some(predicate), timeoutMs, `${what}; stdout so far:\n${stdout}`);
      return lines.find(predicate)!;
    },
    end() {
      ending ??= (async () => {
        try {
          await writer.close().catch(() => {});
          const [status, , stderr] = await Promise.all([child.status, readStdout, readStderr]);
          return {
            code: status.code,
            signal: status.signal,
            stdout,
            stderr,
            lines,
            durationMs: Math.round(performance.now() - started),
            timedOut,
          };
        } finally {
          clearTimeout(timer);
        }
      })();
      return ending;
    },
  };
  return session;
}
