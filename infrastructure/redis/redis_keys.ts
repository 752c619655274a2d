/**
 * The names of everything a cluster keeps in Redis, in one place. Every key starts with `c2a:`, so one Redis
 * may hold other things too.
 *
 * - `c2a:nodes` (set): the ids of the nodes that joined.
 * - `c2a:node:{node}` (string, expires after NODE_TTL_S): the node's heartbeat, JSON with its chats.
 * - `c2a:node:{node}:chats` (set): the ids of the chats it runs.
 * - `c2a:chat:{id}` (hash): a chat's node, watch token, start, session, status and `done`.
 * - `c2a:chat:{id}:events` (stream): its events, one entry per batch: entry id `0-{id of its last event}`,
 *   field `n` the id of its first, `e` their SSE bytes, `end` on the batch that holds `done`.
 * - `c2a:session:{id}:writer` (string, expires unless renewed): the node whose chat writes the session.
 * - `c2a:session:{id}:node` (string, 30 days): the node that last ran a chat of the session.
 * - `c2a:reap:{node}` (string): held by the node that ends a lost node's chats.
 * - channels `c2a:rpc:{node}` and `c2a:reply:{node}`: requests relayed to a node, and their answers;
 *   `c2a:login-failures`: the client address of each failed login, for every node's throttle.
 *
 * @module
 */

/** Key and channel names. */
export const keys = {
  nodes: "c2a:nodes",
  node: (node: string) => `c2a:node:${node}`,
  nodeChats: (node: string) => `c2a:node:${node}:chats`,
  chat: (processId: string) => `c2a:chat:${processId}`,
  events: (processId: string) => `c2a:chat:${processId}:events`,
  sessionWriter: (sessionId: string) => `c2a:session:${sessionId}:writer`,
  sessionNode: (sessionId: string) => `c2a:session:${sessionId}:node`,
  reap: (node: string) => `c2a:reap:${node}`,
  rpc: (node: string) => `c2a:rpc:${node}`,
  reply: (node: string) => `c2a:reply:${node}`,
  loginFailures: "c2a:login-failures",
} as const;

/** The stream entry id of (the batch that ends with) event `id`: the sequence part carries the SSE id. */
export function entryId(id: number): string {
  return `0-${id}`;
}

/** The event id of a stream entry id (`0-41` → 41). */
export function eventIdOf(entry: string): number {
  return Number(entry.slice(entry.indexOf("-") + 1));
}

/** How long Redis remembers the node that last ran a session (for node-local storage). */
export const SESSION_HOME_TTL_MS = 30 * 86_400_000;

/** Deletes key KEYS[1] only while it holds ARGV[1]: a node lets go of a lock only if it is its own. */
export const RELEASE_IF_MINE =
  'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0';
