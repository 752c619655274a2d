/**
 * What the cluster tests share: a Redis, gateways that are nodes of it (each running a private copy of the
 * fake CLI, so its processes can be counted), and small HTTP helpers.
 *
 * @module
 */
import { cliLeadersMatching, privateFakeCli } from "../../testkit/processes.ts";
import { type RedisServer, startRedis } from "../../testkit/redis_server.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { SseReader } from "../../testkit/sse_client.ts";
import { waitFor } from "../../testkit/wait_for.ts";

/** A Redis, the nodes on it (by id), and the directory the chats run in. */
export interface ClusterSetup {
  redis: RedisServer;
  nodes: Record<string, ServerProcess>;
  cli: string;
  dir: string;
}

/** Heartbeat TTL of the test nodes: a killed node is noticed after about this long. */
export const NODE_TTL_S = 2;

/**
 * Starts Redis and one gateway per id in `ids`, runs `body`, then stops everything (and kills any CLI
 * that a killed node left behind).
 */
export async function withCluster(
  ids: string[],
  body: (setup: ClusterSetup) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cluster-" });
  const cli = await privateFakeCli(dir);
  const redis = await startRedis();
  const nodes: Record<string, ServerProcess> = {};
  try {
    for (const id of ids) {
      nodes[id] = await spawnServer({
        CLAUDE_PATH: cli,
        REDIS_URL: redis.url,
        NODE_ID: id,
        NODE_TTL_S: String(NODE_TTL_S),
        ...env,
      }, { waitHealthy: true });
    }
    await body({ redis, nodes, cli, dir });
  } finally {
    await Promise.all(Object.values(nodes).map((node) => node.stop()));
    for (const pid of cliLeadersMatching(cli)) killGroup(pid);
    await waitFor(() => cliLeadersMatching(cli).length === 0, "the CLIs to be gone");
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** Starts a chat on `base` and returns its id, watch token and an SSE reader on its stream. */
export async function startChat(base: string, dir: string, body: Record<string, unknown>) {
  const response = await fetch(`${base}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: dir, ...body }),
  });
  if (response.status !== 200) throw new Error(`POST /chat: ${response.status} ${await response.text()}`);
  return {
    id: response.headers.get("X-Process-ID")!,
    token: response.headers.get("X-Watch-Token")!,
    stream: new SseReader(response),
  };
}

/** `GET` with the test credentials, as JSON, with its status. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers: SERVER_AUTH });
  return { status: response.status, body: await response.json() };
}

/** A request with the test credentials and an optional JSON body; its status and JSON answer. */
export async function send(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: { ...SERVER_AUTH, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Attaches to a chat's stream on `base` after `afterId`, with the credentials or with `token`. */
export async function watch(base: string, id: string, afterId: number, token?: string): Promise<SseReader> {
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  const response = await fetch(`${base}/chat/${id}/events${query}`, {
    headers: { ...(token === undefined ? SERVER_AUTH : {}), "Last-Event-ID": String(afterId) },
  });
  if (response.status !== 200) throw new Error(`watch: ${response.status} ${await response.text()}`);
  return new SseReader(response);
}

/** The process ids `GET /processes` on `base` lists, each with its node. */
export async function listed(base: string): Promise<{ id: string; node: string }[]> {
  const { body } = await getJson(`${base}/processes`);
  return (body.processes as { process_id: string; node: string }[]).map((view) => ({
    id: view.process_id,
    node: view.node,
  }));
}
