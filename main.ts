import type { OpenAPIHono } from "@hono/zod-openapi";
import { createCancelProcess } from "./application/cancel_process.ts";
import { createChatControls } from "./application/chat_controls.ts";
import { ChatSlots } from "./application/chat_slots.ts";
import type { SessionStorage } from "./application/cluster.ts";
import { nodeUseCases, ownProcesses } from "./application/cluster_use_cases.ts";
import type { Conversations } from "./application/conversations.ts";
import { createHealth } from "./application/health.ts";
import { createListDirectories } from "./application/list_directories.ts";
import { createListProcesses } from "./application/list_processes.ts";
import type { Logger } from "./application/logger.ts";
import { Metrics } from "./application/metrics.ts";
import { createSessions } from "./application/sessions.ts";
import { createStartChat } from "./application/start_chat.ts";
import { createStartWatchedChat } from "./application/start_watched_chat.ts";
import { WatchedChats } from "./application/watched_chats.ts";
import type { CliLocation } from "./domain/cli_probe.ts";
import type { CliRunner } from "./domain/cli_runner.ts";
import { claudeProjectsDir, claudeSessionStores } from "./infrastructure/claude_projects.ts";
import { ClaudeSessionTranscripts } from "./infrastructure/claude_session_transcripts.ts";
import { findClaudeCli } from "./infrastructure/cli_path.ts";
import { createCliRunners } from "./infrastructure/cli_runners.ts";
import { createCliSandbox } from "./infrastructure/cli_sandbox.ts";
import { loadClusterConfig } from "./infrastructure/cluster_config.ts";
import { createConversations, createDoors } from "./infrastructure/compat_doors.ts";
import { type Config, ConfigError, loadConfig } from "./infrastructure/config.ts";
import { createConsoleLogger } from "./infrastructure/console_logger.ts";
import { DenoCliProbe } from "./infrastructure/deno_cli_probe.ts";
import { DenoDirectories } from "./infrastructure/deno_directories.ts";
import { generatePassword } from "./infrastructure/generate_password.ts";
import { gracefulShutdown } from "./infrastructure/graceful_shutdown.ts";
import { InMemoryProcessRepository } from "./infrastructure/in_memory_process_repository.ts";
import { joinCluster } from "./infrastructure/join_cluster.ts";
import { listen, urlOf } from "./infrastructure/listen.ts";
import { warnOfPolicyLimits } from "./infrastructure/policy_warning.ts";
import { readEnv } from "./infrastructure/read_env.ts";
import type { RedisCluster } from "./infrastructure/redis/redis_cluster.ts";
import { systemClock } from "./infrastructure/system_clock.ts";
import { tlsHint } from "./infrastructure/tls_hint.ts";
import type { WarmCliRunner } from "./infrastructure/warm_cli_runner.ts";
import { createApp } from "./interface/app.ts";
import { ChatRequestSchema } from "./interface/chat_request_schema.ts";
import { answerRelayed } from "./interface/cluster_relay.ts";
import { registerConsole } from "./interface/console.ts";
import { registerDocs } from "./interface/docs.ts";
import { encodeBatch } from "./interface/sse_frame.ts";

/** A running gateway. */
export interface Server {
  /** The address it listens on, e.g. `http://127.0.0.1:9876`. */
  url: string;
  config: Config;
  /** Stops accepting, interrupts every chat (escalating as DELETE does), waits for them, closes. */
  shutdown(): Promise<void>;
  /** Kills every chat's CLI at once (a second stop signal). */
  kill(): void;
  /** Settles when the server has closed. */
  finished: Promise<void>;
}

/** What {@link buildApp} wires together. */
interface Wiring {
  config: Config;
  env: Record<string, string>;
  cli: CliLocation;
  /** The runner the chats use (behind the warm pool when it is on). */
  runner: CliRunner;
  /** The warm pool, when `WARM_POOL` is on. */
  warm: WarmCliRunner | null;
  password: string;
  processes: InMemoryProcessRepository;
  watched: WatchedChats;
  /** The compatible doors' memory of conversations (and their scratch directories). */
  conversations: Conversations;
  logger: Logger;
  /** Set when this gateway is a node of a cluster (`REDIS_URL`), with where its sessions are kept. */
  cluster: { node: RedisCluster; sessions: SessionStorage } | null;
}

/**
 * Wires the real adapters into the app and starts listening.
 * @param env the environment (real variables over `.env`)
 * @throws {ConfigError} when a variable is invalid, or the address cannot be listened on
 */
export async function startServer(env: Record<string, string>): Promise<Server> {
  const config = loadConfig(env, { requestFields: Object.keys(ChatRequestSchema.shape) });
  const sandbox = createCliSandbox(config.sandbox, {
    home: env.HOME,
    gatewayDirs: [import.meta.dirname ?? Deno.cwd(), Deno.cwd()],
    secretFiles: [".env"],
  });
  const logger = createConsoleLogger(config.logLevel);
  if (config.sandbox.mode === "off") warnOfPolicyLimits(config.chat.policy, logger);
  const password = config.auth.password ?? announcePassword(config.auth.user);
  const cli = findClaudeCli(config.cli.path, env);
  if (cli.error !== undefined) logger.warn("Claude Code CLI unavailable", { error: cli.error });
  else logger.info("Claude Code CLI found", { path: cli.path });
  const processes = new InMemoryProcessRepository();
  const clusterConfig = loadClusterConfig(env);
  const cluster = await joinCluster(clusterConfig, {
    port: config.server.port,
    retainFinishedMs: config.watch.retainFinishedMs,
    relayTimeoutMs: config.chat.interaction.controlTimeoutMs + 5000,
    encode: encodeBatch,
    logger,
  });
  const watched = new WatchedChats({
    mirror: cluster?.mirror,
    ...config.watch,
    clock: systemClock,
    // 192 random bits, URL-safe: as unguessable as a generated password.
    newToken: generatePassword,
    encode: encodeBatch,
  });
  const tempRoot = Deno.makeTempDirSync({ prefix: "claudecode2api-" });
  const { runner, warm } = createCliRunners({ config, env, claudePath: cli.path, sandbox, tempRoot, logger });
  const conversations = createConversations(config, logger);
  const app = buildApp({
    ...{ config, env, cli, runner, warm, password, processes, watched, conversations, logger },
    cluster: cluster && { node: cluster, sessions: clusterConfig.sessions },
  });
  const server = listen(
    config.server,
    (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
    logger,
  );
  const url = urlOf(server.addr);
  logger.info("listening", { url, max_concurrent: config.slots.maxConcurrent, node: cluster?.nodeId });
  await cluster?.start({
    localProcesses: () => ownProcesses(cluster, createListProcesses({ processes, watched })).processes,
    answer: answerRelayed((request, env) => app.fetch(request, env)),
  });
  const stop = gracefulShutdown({
    server,
    processes,
    logger,
    // Spares are not chats: they end at once, their input closed.
    early: warm,
    afterChats: [
      () => cluster?.stop(),
      () => watched.close(),
      () => conversations.close(),
      () => Deno.remove(tempRoot, { recursive: true }).catch(() => {}),
    ],
  });
  return { url, config, finished: server.finished, ...stop };
}

/** Generates a password for this run and prints it once. */
function announcePassword(user: string): string {
  const password = generatePassword();
  console.log(
    `AUTH_PASSWORD is not set: generated one for this run.\n  user: ${user}\n  password: ${password}\n` +
      "Set AUTH_PASSWORD in .env to keep a password across restarts.",
  );
  return password;
}

const newId = () => crypto.randomUUID();

/** The use cases on the real adapters, and the app serving them. */
function buildApp(wiring: Wiring): OpenAPIHono {
  const { config, env, cli, runner, warm, password, processes, watched, conversations, logger, cluster } =
    wiring;
  const metrics = new Metrics();
  const slots = new ChatSlots({ ...config.slots, clock: systemClock });
  const warmPool = warm ? () => warm.stats() : undefined;
  const directories = new DenoDirectories();
  const allowedRoots = config.chat.policy.allowedRoots;
  const sessions = new ClaudeSessionTranscripts({ projectsDir: claudeProjectsDir(env) });
  const startWatched = createStartWatchedChat({
    startChat: createStartChat({
      ...{ runner, processes, directories, sessions, slots, metrics, logger, ...config.chat },
      newId,
      clock: systemClock,
    }),
    watched,
    detach: config.watch.detach,
  });
  const single = {
    startChat: startWatched,
    listProcesses: createListProcesses({ processes, watched }),
    health: createHealth({ cli, probe: new DenoCliProbe(), sandbox: config.sandbox.mode, warmPool }),
  };
  return createApp({
    ...(cluster ? nodeUseCases(cluster.node, single, cluster.sessions) : single),
    watched,
    retainFinishedS: config.watch.retainFinishedMs / 1000,
    cancelProcess: createCancelProcess({ processes }),
    controls: createChatControls({ policy: config.chat.policy, maxImageBytes: config.chat.maxImageBytes }),
    cluster: cluster?.node,
    sessions: createSessions({ ...claudeSessionStores(env), directories, processes, allowedRoots }),
    listDirectories: createListDirectories({ directories, allowedRoots, home: env.HOME ?? "/" }),
    metrics,
    slots,
    warmPool,
    logger,
    auth: { ...config.auth, password },
    ...config.http,
    clock: systemClock,
    newId,
    docs: registerDocs,
    console: registerConsole,
    doors: createDoors(config, { startChat: startWatched, conversations, sessions }),
  });
}

/** Starts the gateway, or exits 2 with one line naming the problem; stops on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let server: Server;
  try {
    server = await startServer(readEnv(".env", Deno.env.toObject()));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`claudecode2api: ${error.message}`);
    Deno.exit(2);
  }
  console.log(`claudecode2api listening on ${server.url}`);
  const hint = tlsHint(server.config.server.host);
  if (hint) console.log(hint);
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      server.shutdown().then(() => Deno.exit(0));
    } else {
      // A second signal: stop waiting for the CLIs to finish their turn.
      server.kill();
    }
  };
  Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);
}

if (import.meta.main) await main();
