/**
 * A bounded load run on loopback: starts the gateway with the fake CLI, opens `chats` concurrent chats that
 * each print `lines` lines carrying their own marker, and checks that every client got every line of its own
 * chat, in order, and nothing else. Afterwards it checks that no CLI process, file descriptor or chat is left.
 * `deno task load` prints its figures; an integration test runs a small one.
 *
 * @module
 */
import { fdCount, memoryMiB } from "./proc_stats.ts";
import { privateFakeCli, processesMatching } from "./processes.ts";
import { SERVER_AUTH, spawnServer } from "./server_process.ts";

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

/** Opens every chat at once through one client pool, closed afterwards so kept-alive sockets are no leak. */
async function runChats(url: string, cwd: string, chats: number, lines: number) {
  const client = Deno.createHttpClient({});
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: chats }, (_, index) => runChat(client, url, cwd, index, lines)),
  );
  const wallMs = performance.now() - started;
  client.close();
  return { wallMs, failures: results.filter((result): result is string => result !== null) };
}

/** Gives the last exits a moment to be reaped before counting what is left. */
async function settle(pid: number, cli: string, fdsBefore: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((processesMatching(cli).length > 0 || fdCount(pid) > fdsBefore) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs the load and returns its figures (it never throws for a failed chat: see `failures`).
 * @param chats how many chats run at once
 * @param lines how many lines each prints
 */
export async function runLoad(chats: number, lines: number): Promise<LoadReport> {
  const cwd = await Deno.makeTempDir({ prefix: "load-" });
  // A private copy of the fake, so leftovers are this run's alone.
  const cli = await privateFakeCli(cwd);
  const server = await spawnServer(
    { CLAUDE_PATH: cli, LOG_LEVEL: "WARN", MAX_CONCURRENT: String(chats), QUEUE_MAX: "0" },
    { raiseFdLimit: true, waitHealthy: true },
  );
  const pid = server.child.pid;
  try {
    const idleRssMb = memoryMiB(pid).rss;
    const fdsBefore = fdCount(pid);
    const { wallMs, failures } = await runChats(server.url, cwd, chats, lines);
    await settle(pid, cli, fdsBefore);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: SERVER_AUTH })).text();
    return {
      chats,
      linesPerChat: lines,
      failures,
      wallMs,
      linesPerSecond: (chats * lines) / (wallMs / 1000),
      peakRssMb: memoryMiB(pid).hwm,
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
