/**
 * A bounded load run on loopback: starts the gateway with the fake CLI, opens `chats` concurrent chats that
 * each print `lines` lines carrying their own marker, and checks that every client got every line of its own
 * chat, in order, and nothing else. Afterwards it checks that no CLI process, file descriptor or chat is left,
 * and prints the figures.
 *
 *   deno task load [chats=200] [lines=1000]
 */
import { processesMatching } from "../tests/support/processes.ts";
import { SERVER_AUTH, spawnServer } from "../tests/support/server_process.ts";

const FAKE_CLI = new URL("../tests/fixtures/fake_claude.sh", import.meta.url).pathname;

/** Figures of one load run. */
export interface LoadReport {
  chats: number;
  linesPerChat: number;
  failures: string[];
  wallMs: number;
  linesPerSecond: number;
  peakRssMb: number;
  idleRssMb: number;
  fdsBefore: number;
  fdsAfter: number;
  leftoverProcesses: number;
  metrics: string;
}

function statusField(pid: number, field: string): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return match ? Number(match[1]) : 0;
}

function fdCount(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function runChat(
  client: Deno.HttpClient,
  url: string,
  cwd: string,
  index: number,
  lines: number,
): Promise<string | null> {
  const marker = `chat${index}`;
  const response = await fetch(`${url}/chat`, {
    client,
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt: `lines ${lines} 40 ${marker}`, cwd }),
  });
  if (response.status !== 200) return `${marker}: HTTP ${response.status} ${await response.text()}`;
  const text = await response.text();
  const data = text.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6));
  const assistant = data.filter((line) => line.includes('"type":"assistant"'));
  if (assistant.length !== lines) return `${marker}: got ${assistant.length} of ${lines} lines`;
  const expected: string[] = [];
  const pad = "x".repeat(40);
  for (let seq = 1; seq <= lines; seq++) {
    expected.push(`{"type":"assistant","seq":${seq},"marker":"${marker}","pad":"${pad}"}`);
  }
  const [got, want] = await Promise.all([sha256Hex(assistant.join("\n")), sha256Hex(expected.join("\n"))]);
  if (got !== want) {
    const foreign = assistant.find((line) => !line.includes(`"marker":"${marker}"`));
    return `${marker}: checksum mismatch${foreign ? ` (foreign line ${foreign.slice(0, 80)})` : " (order)"}`;
  }
  if (!data.at(-1)?.includes('"exit_code":0')) return `${marker}: bad done event ${data.at(-1)}`;
  return null;
}

/** Runs the load and returns its figures (it never throws for a failed chat: see `failures`). */
export async function runLoad(chats: number, lines: number): Promise<LoadReport> {
  const cwd = await Deno.makeTempDir({ prefix: "load-" });
  // A private copy of the fake, so leftovers are this run's alone.
  const cli = `${cwd}/fake-claude.sh`;
  await Deno.copyFile(FAKE_CLI, cli);
  await Deno.chmod(cli, 0o755);
  const server = await spawnServer({
    CLAUDE_PATH: cli,
    LOG_LEVEL: "WARN",
    MAX_CONCURRENT: String(chats),
    QUEUE_MAX: "0",
  });
  const pid = server.child.pid;
  try {
    await (await fetch(`${server.url}/health`)).text();
    const idleRssMb = statusField(pid, "VmRSS") / 1024;
    const fdsBefore = fdCount(pid);
    // The client's own connection pool, closed afterwards so kept-alive sockets do not count as leaks.
    const client = Deno.createHttpClient({});
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: chats }, (_, index) => runChat(client, server.url, cwd, index, lines)),
    );
    const wallMs = performance.now() - started;
    client.close();
    const failures = results.filter((result): result is string => result !== null);
    // Give the last exits a moment to be reaped before counting what is left.
    const deadline = Date.now() + 5000;
    while ((processesMatching(cli).length > 0 || fdCount(pid) > fdsBefore) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: SERVER_AUTH })).text();
    return {
      chats,
      linesPerChat: lines,
      failures,
      wallMs,
      linesPerSecond: (chats * lines) / (wallMs / 1000),
      peakRssMb: statusField(pid, "VmHWM") / 1024,
      idleRssMb,
      fdsBefore,
      fdsAfter: fdCount(pid),
      leftoverProcesses: processesMatching(cli).length,
      metrics,
    };
  } finally {
    await server.stop();
    await Deno.remove(cwd, { recursive: true });
  }
}

if (import.meta.main) {
  const chats = Number(Deno.args[0] ?? 200);
  const lines = Number(Deno.args[1] ?? 1000);
  const report = await runLoad(chats, lines);
  const running = report.metrics.match(/^claudecode2api_chats_running (\d+)/m)?.[1];
  console.log(`chats                 ${report.chats} x ${report.linesPerChat} lines`);
  console.log(`failed chats          ${report.failures.length}`);
  for (const failure of report.failures.slice(0, 10)) console.log(`  ${failure}`);
  console.log(`wall time             ${(report.wallMs / 1000).toFixed(2)} s`);
  console.log(`lines/s               ${Math.round(report.linesPerSecond)}`);
  console.log(`server idle RSS       ${report.idleRssMb.toFixed(1)} MB`);
  console.log(`server peak RSS       ${report.peakRssMb.toFixed(1)} MB`);
  console.log(`server fds            ${report.fdsBefore} before, ${report.fdsAfter} after`);
  console.log(`leftover CLIs         ${report.leftoverProcesses}`);
  console.log(`chats still running   ${running}`);
  if (report.failures.length > 0 || report.leftoverProcesses > 0) Deno.exit(1);
}
