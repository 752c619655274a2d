import type { OpenAPIHono } from "@hono/zod-openapi";
import { createCancelProcess } from "./application/cancel_process.ts";
import { createChatControls } from "./application/chat_controls.ts";
import { ChatSlots } from "./application/chat_slots.ts";
import { createHealth } from "./application/health.ts";
import { createListProcesses } from "./application/list_processes.ts";
import type { Logger } from "./application/logger.ts";
import { Metrics } from "./application/metrics.ts";
import { createStartChat } from "./application/start_chat.ts";
import { createStartWatchedChat } from "./application/start_watched_chat.ts";
import { WatchedChats } from "./application/watched_chats.ts";
import type { CliLocation } from "./domain/cli_probe.ts";
import { ClaudeSessionTranscripts } from "./infrastructure/claude_session_transcripts.ts";
import { findClaudeCli } from "./infrastructure/cli_path.ts";
import { createCliRunners } from "./infrastructure/cli_runners.ts";
import { createCliSandbox } from "./infrastructure/cli_sandbox.ts";
import { type Config, ConfigError, loadConfig } from "./infrastructure/config.ts";
import { createConsoleLogger } from "./infrastructure/console_logger.ts";
import { DenoCliProbe } from "./infrastructure/deno_cli_probe.ts";
import { DenoDirectories } from "./infrastructure/deno_directories.ts";
import { generatePassword } from "./infrastructure/generate_password.ts";
import { InMemoryProcessRepository } from "./infrastructure/in_memory_process_repository.ts";
import { readEnv } from "./infrastructure/read_env.ts";
import type { ResilientServer } from "./infrastructure/resilient_http_server.ts";
import { listen, urlOf } from "./infrastructure/listen.ts";
import { systemClock } from "./infrastructure/system_clock.ts";
import { tlsHint } from "./infrastructure/tls_hint.ts";
import type { WarmCliRunner } from "./infrastructure/warm_cli_runner.ts";
import type { CliRunner } from "./domain/cli_runner.ts";
import { createApp } from "./interface/app.ts";
import { ChatRequestSchema } from "./interface/chat_request_schema.ts";
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
  runner: CliRunner;
  /** The warm pool, when WARM_POOL is on: its spares end with the server. */
  warm: WarmCliRunner | null;
  password: string;
  processes: InMemoryProcessRepository;
  watched: WatchedChats;
  logger: Logger;
  /** Where each chat's CLI gets its own temporary directory; removed on shutdown. */
  tempRoot: string;
}

/**
 * Wires the real adapters into the app and starts listening.
 * @param env the environment (real variables over `.env`)
 * @throws {ConfigError} when a variable is invalid, or the address cannot be listened on
 */
export function startServer(env: Record<string, string>): Server {
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
  const watched = new WatchedChats({
    ...config.watch,
    clock: systemClock,
    // 192 random bits, URL-safe: as unguessable as a generated password.
    newToken: generatePassword,
    encode: encodeBatch,
  });
  const tempRoot = Deno.makeTempDirSync({ prefix: "claudecode2api-" });
  const { runner, warm } = createCliRunners({ config, env, claudePath: cli.path, sandbox, tempRoot, logger });
  const app = buildApp({ config, env, cli, runner, warm, password, processes, watched, logger, tempRoot });
  const server = listen(
    config.server,
    (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
    logger,
  );
  const url = urlOf(server.addr);
  logger.info("listening", { url, max_concurrent: config.slots.maxConcurrent });
  return {
    url,
    config,
    finished: server.finished,
    ...stopping(server, { processes, watched, tempRoot, warm }, logger),
  };
}

/** Says once what the policy does not confine, so an operator does not take the roots for a sandbox. */
function warnOfPolicyLimits(policy: Config["chat"]["policy"], logger: Logger): void {
  if (policy.allowedRoots === null) return;
  logger.warn(
    "ALLOWED_CWD_ROOTS confines only the directories a request names (cwd, add_dir, plugin_dir, the " +
      "session it resumes), not what the CLI's tools then read, write or run: without a sandbox they reach " +
      "the whole host (SANDBOX=bwrap confines them)",
    { roots: policy.allowedRoots.join(",") },
  );
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
function buildApp(
  { config, env, cli, runner, warm, password, processes, watched, logger }: Wiring,
): OpenAPIHono {
  const metrics = new Metrics();
  const slots = new ChatSlots({ ...config.slots, clock: systemClock });
  const warmPool = warm ? () => warm.stats() : undefined;

  const startChat = createStartWatchedChat({
    startChat: buildStartChat({ config, env, runner, processes, slots, metrics, logger }),
    watched,
    detach: config.watch.detach,
  });
  return createApp({
    startChat,
    watched,
    retainFinishedS: config.watch.retainFinishedMs / 1000,
    cancelProcess: createCancelProcess({ processes }),
    controls: createChatControls({ policy: config.chat.policy, maxImageBytes: config.chat.maxImageBytes }),
    listProcesses: createListProcesses({ processes, watched }),
    health: createHealth({ cli, probe: new DenoCliProbe(), sandbox: config.sandbox.mode, warmPool }),
    metrics,
    slots,
    warmPool,
    logger,
    auth: { ...config.auth, password },
    ...config.http,
    clock: systemClock,
    newId,
    docs: registerDocs,
  });
}

/** StartChat on the real runner and directories. */
function buildStartChat(
  { config, env, runner, processes, slots, metrics, logger }:
    & Pick<Wiring, "config" | "env" | "processes" | "logger">
    & {
      runner: CliRunner;
      slots: ChatSlots;
      metrics: Metrics;
    },
) {
  return createStartChat({
    runner,
    processes,
    directories: new DenoDirectories(),
    sessions: new ClaudeSessionTranscripts({ projectsDir: projectsDir(env) }),
    slots,
    metrics,
    logger,
    ...config.chat,
    newId,
    clock: systemClock,
  });
}

/** Where the CLI keeps its sessions: `$CLAUDE_CONFIG_DIR/projects`, by default `$HOME/.claude/projects`. */
function projectsDir(env: Record<string, string>): string {
  return `${env.CLAUDE_CONFIG_DIR ?? `${env.HOME ?? ""}/.claude`}/projects`;
}

/** The server's graceful shutdown (once, however often asked) and its kill. */
function stopping(
  server: ResilientServer,
  { processes, watched, tempRoot, warm }: Pick<Wiring, "processes" | "watched" | "tempRoot" | "warm">,
  logger: Logger,
): Pick<Server, "shutdown" | "kill"> {
  let shuttingDown: Promise<void> | null = null;
  return {
    shutdown() {
      shuttingDown ??= (async () => {
        const running = processes.list();
        logger.info("shutting down", { chats: running.length });
        const closed = server.shutdown();
        // Spares are not chats: they end at once, their input closed.
        const spares = warm?.close();
        for (const process of running) process.stop("shutdown");
        await Promise.all(running.map((process) => process.finished));
        await spares;
        await closed;
        watched.close();
        await Deno.remove(tempRoot, { recursive: true }).catch(() => {});
        logger.info("stopped");
      })();
      return shuttingDown;
    },
    kill() {
      warm?.kill();
      for (const process of processes.list()) process.kill();
    },
  };
}

/** Starts the gateway, or exits 2 with one line naming the problem; stops on SIGTERM/SIGINT. */
function main(): void {
  let server: Server;
  try {
    server = startServer(readEnv(".env", Deno.env.toObject()));
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

if (import.meta.main) main();
