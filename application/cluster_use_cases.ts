import type { Cluster } from "./cluster.ts";
import { requireCluster, type SessionStorage } from "./cluster.ts";
import type { Health } from "./health.ts";
import type { ListProcesses, ProcessList } from "./list_processes.ts";
import type { StartWatchedChat } from "./start_watched_chat.ts";

/** The use cases that a node of a cluster answers differently from a single gateway. */
export interface NodeUseCases {
  startChat: StartWatchedChat;
  listProcesses: ListProcesses | (() => Promise<ProcessList>);
  health: Health;
}

/**
 * This node's chats, each naming the node, as its heartbeat lists them.
 * @param listLocal this node's chats
 */
export function ownProcesses(cluster: Pick<Cluster, "nodeId">, listLocal: ListProcesses): ProcessList {
  const processes = listLocal().processes.map((view) => ({ ...view, node: cluster.nodeId }));
  return { processes, count: processes.length };
}

/**
 * The single gateway's use cases as a node of `cluster` runs them: new chats refused while Redis is
 * unreachable (503) and held to the cluster's one-writer rule (see {@link requireCluster}), `GET /processes` lists every node's chats (this node's as they are now, the others' as
 * their last heartbeat listed them; only this node's while Redis is away), `/health` adds the node id and
 * whether Redis answers.
 */
export function nodeUseCases(
  cluster: Cluster,
  single: NodeUseCases & { listProcesses: ListProcesses },
  storage: SessionStorage,
): NodeUseCases {
  return {
    startChat: requireCluster(cluster, single.startChat, storage),
    listProcesses: async () => {
      const own = ownProcesses(cluster, single.listProcesses).processes;
      const others = await cluster.processes().catch(() => []);
      const processes = [...own, ...others];
      return { processes, count: processes.length };
    },
    health: async () => ({
      ...await single.health(),
      cluster: { node_id: cluster.nodeId, redis: cluster.reachable() ? "ok" : "unreachable" },
    }),
  };
}
