/**
 * Phase "warm start": the REAL Claude Code CLI against the fake Messages API of the end-to-end tests, one
 * short chat at a time, on two gateways: one starting every CLI cold (`WARM_POOL=0`), one serving each chat
 * from a spare (`WARM_POOL=1`). Chats alternate between them with a pause after each, so the warm gateway's
 * replacement spare has started up before the next chat (its start-up would otherwise compete with it) and
 * both sides run on an equally quiet machine. Also measures the RSS of an idle spare.
 *
 * Alone: `deno run --allow-all bench/warm_phase.ts` (BENCH_CLI_RUNS, BENCH_CLI_PAUSE_MS).
 *
 * @module
 */

import { resolveClaudePath } from "../tests/e2e/claude_cli.ts";
import { type FakeMessagesApi, startFakeMessagesApi } from "../tests/e2e/fake_messages_api.ts";
import { memoryMiB } from "../testkit/proc_stats.ts";
import { processesWithHome } from "../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../testkit/server_process.ts";
import { readSettings, type Settings } from "./settings.ts";
import { median } from "./stats.ts";

/** POST sent → the first `message` event, → `done`, ms. */
export interface ChatTimes {
  firstEventMs: number;
  doneMs: number;
}

/** Medians of each side, and the spare's memory. */
export interface WarmStartResult {
  runs: number;
  cold: ChatTimes;
  warm: ChatTimes;
  /** Median RSS of the idle spare, sampled before each warm chat. */
  spareRssMiB: number;
  /** The CLI's `--version`. */
  cli: string;
}

/** The pinned CLI that `deno task test` installs, else `CLAUDE_PATH` or `claude` on `PATH`. */
function claudePath(): string {
  const pinned = new URL("../.cache/claude-code/node_modules/.bin/claude", import.meta.url).pathname;
  try {
    if (!Deno.env.get("CLAUDE_PATH") && Deno.statSync(pinned).isFile) return pinned;
  } catch {
    // not installed there
  }
  return resolveClaudePath();
}

/** A gateway on the real CLI with a `HOME` of its own (which tells its CLIs from any other). */
interface CliGateway {
  server: ServerProcess;
  home: string;
}

async function startGateway(api: FakeMessagesApi, root: string, warmPool: number): Promise<CliGateway> {
  const home = `${root}/home-${warmPool}`;
  await Deno.mkdir(home);
  const server = await spawnServer({
    CLAUDE_PATH: claudePath(),
    HOME: home,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: "bench",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    LOG_LEVEL: "WARN",
    WARM_POOL: String(warmPool),
    WARM_IDLE_S: "600",
  }, { waitHealthy: true });
  return { server, home };
}

/** One chat: POST sent → first `message` event, → `done`; problems when it did not end well. */
async function timeChat(
  gateway: CliGateway,
  body: Record<string, unknown>,
  problems: string[],
): Promise<ChatTimes> {
  const sent = performance.now();
  const response = await fetch(`${gateway.server.url}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status !== 200) {
    problems.push(`warm phase: POST /chat answered ${response.status}: ${await response.text()}`);
    return { firstEventMs: NaN, doneMs: NaN };
  }
  let text = "";
  let firstEventMs = NaN;
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    text += decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstEventMs) && text.includes("event: message\n")) {
      firstEventMs = performance.now() - sent;
    }
  }
  const doneMs = performance.now() - sent;
  const done = /event: done\ndata: (.*)\n/.exec(text);
  if (!done || JSON.parse(done[1]).exit_code !== 0 || !text.includes('"subtype":"success"')) {
    problems.push(`warm phase: a chat did not end with a successful result: ${text.slice(-500)}`);
  }
  return { firstEventMs, doneMs };
}

/** The RSS of the CLIs of `gateway` now (with one spare waiting and no chat: the spare's), MiB. */
function cliRssMiB(gateway: CliGateway): number {
  const pids = processesWithHome(gateway.home, [gateway.server.child.pid, Deno.pid]);
  if (pids.length === 0) return NaN;
  return pids.reduce((sum, pid) => {
    try {
      return sum + memoryMiB(pid).rss;
    } catch {
      return sum;
    }
  }, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `cliRuns` chats on each gateway, alternating, after two uncounted ones each.
 * @param settings the run count and pause
 * @param context bounds the run; problems are added to
 */
export async function measureWarmStart(
  settings: Pick<Settings, "cliRuns" | "cliPauseMs">,
  context: { signal: AbortSignal; problems: string[] },
): Promise<WarmStartResult> {
  const { signal, problems } = context;
  const api = await startFakeMessagesApi({ defaultText: "Hello from the fake Messages API." });
  const root = await Deno.makeTempDir({ prefix: "claudecode2api-bench-warm-" });
  const gateways: CliGateway[] = [];
  try {
    const cwd = `${root}/project`;
    await Deno.mkdir(cwd);
    const cold = await startGateway(api, root, 0);
    gateways.push(cold);
    const warm = await startGateway(api, root, 1);
    gateways.push(warm);
    const body = { prompt: "Say hello.", cwd };
    const times: Record<"cold" | "warm", ChatTimes[]> = { cold: [], warm: [] };
    const rss: number[] = [];
    for (let run = -2; run < settings.cliRuns && !signal.aborted; run++) {
      const c = await timeChat(cold, body, problems);
      await sleep(settings.cliPauseMs);
      const spareRss = cliRssMiB(warm);
      const w = await timeChat(warm, body, problems);
      await sleep(settings.cliPauseMs);
      if (run < 0) continue;
      times.cold.push(c);
      times.warm.push(w);
      rss.push(spareRss);
    }
    const medians = (samples: ChatTimes[]) => ({
      firstEventMs: median(samples.map((sample) => sample.firstEventMs)),
      doneMs: median(samples.map((sample) => sample.doneMs)),
    });
    const version = new Deno.Command(claudePath(), { args: ["--version"], stdout: "piped" }).outputSync();
    return {
      runs: times.warm.length,
      cold: medians(times.cold),
      warm: medians(times.warm),
      spareRssMiB: median(rss),
      cli: new TextDecoder().decode(version.stdout).trim(),
    };
  } finally {
    for (const gateway of gateways) await gateway.server.stop(10_000);
    await api.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/**
 * The warm start phase as a Markdown table: the medians side by side, against the target.
 * @param result what {@link measureWarmStart} found
 */
export function renderWarmStart(result: WarmStartResult): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const ratio = result.warm.firstEventMs / result.cold.firstEventMs;
  return [
    `Real CLI (${result.cli}), fake Messages API, one "hello" chat at a time, medians of ${result.runs}:`,
    "",
    "| measure | cold (`WARM_POOL=0`) | warm (`WARM_POOL=1`) | warm / cold | target | |",
    "|---|---:|---:|---:|---|---|",
    `| POST → first event | ${ms(result.cold.firstEventMs)} | ${ms(result.warm.firstEventMs)} | ${
      ratio.toFixed(2)
    } | ≤ 0.33 | ${ratio <= 1 / 3 ? "met" : "NOT met"} |`,
    `| POST → \`done\` | ${ms(result.cold.doneMs)} | ${ms(result.warm.doneMs)} | ${
      (result.warm.doneMs / result.cold.doneMs).toFixed(2)
    } | | |`,
    `| RSS of an idle spare | | ${result.spareRssMiB.toFixed(0)} MiB | | | |`,
  ].join("\n");
}

if (import.meta.main) {
  const settings = readSettings();
  const problems: string[] = [];
  const result = await measureWarmStart(settings, {
    signal: AbortSignal.timeout(settings.deadlineS * 1000),
    problems,
  });
  console.log(renderWarmStart(result));
  if (problems.length > 0) {
    console.log(`\nProblems (${problems.length}):\n${problems.slice(0, 5).join("\n")}`);
  }
}
