import { createCancelProcess } from "./application/cancel_process.ts";
import { ChatSlots } from "./application/chat_slots.ts";
import { createHealth } from "./application/health.ts";
import { createListProcesses } from "./application/list_processes.ts";
import { Metrics } from "./application/metrics.ts";
import { createStartChat } from "./application/start_chat.ts";
import { detectClaudePath, isExecutableFile } from "./infrastructure/cli_path.ts";
import { type Config, ConfigError, loadConfig } from "./infrastructure/config.ts";
import { createConsoleLogger } from "./infrastructure/console_logger.ts";
import { DenoCliProbe } from "./infrastructure/deno_cli_probe.ts";
import { DenoCommandCliRunner } from "./infrastructure/deno_command_cli_runner.ts";
import { DenoDirectories } from "./infrastructure/deno_directories.ts";
import { parseDotenv } from "./infrastructure/dotenv.ts";
import { InMemoryProcessRepository } from "./infrastructure/in_memory_process_repository.ts";
import { tlsHint } from "./infrastructure/tls_hint.ts";
import { createApp } from "./interface/app.ts";
import { registerDocs } from "./interface/docs.ts";

/** Variables the CLI child must not see: the gateway's own secrets, and the marker of a nested Claude Code. */
const HIDDEN_FROM_CLI = ["AUTH_USER", "AUTH_PASSWORD", "CLAUDECODE"];

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

function globalNpmPrefix(): string | undefined {
  try {
    const output = new Deno.Command("npm", { args: ["prefix", "-g"], stdout: "piped", stderr: "null" })
      .outputSync();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * Wires the real adapters into the app and starts listening.
 * @param env the environment (real variables over `.env`)
 * @throws {ConfigError} when a variable is invalid
 */
export function startServer(env: Record<string, string>): Server {
  const config = loadConfig(env);
  const logger = createConsoleLogger(config.LOG_LEVEL);
  let password = config.AUTH_PASSWORD;
  if (password === undefined) {
    password = generatePassword();
    console.log(
      `AUTH_PASSWORD is not set: generated one for this run.\n  user: ${config.AUTH_USER}\n  password: ${password}\n` +
        "Set AUTH_PASSWORD in .env to keep a password across restarts.",
    );
  }
  const cli = detectClaudePath({
    configured: config.CLAUDE_PATH,
    searchPath: env.PATH,
    home: env.HOME,
    npmPrefix: globalNpmPrefix,
    isExecutable: isExecutableFile,
  });
  if (cli.error !== undefined) logger.warn("Claude Code CLI unavailable", { error: cli.error });
  else logger.info("Claude Code CLI found", { path: cli.path });

  const childEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !HIDDEN_FROM_CLI.includes(key)));
  const processes = new InMemoryProcessRepository();
  const metrics = new Metrics();
  const slots = new ChatSlots({
    maxConcurrent: config.MAX_CONCURRENT,
    queueMax: config.QUEUE_MAX,
    queueTimeoutMs: config.QUEUE_TIMEOUT_S * 1000,
  });
  const runner = new DenoCommandCliRunner({
    // With no CLI found, starting a chat fails with a clear 503 naming the missing path.
    claudePath: cli.path ?? "claude",
    env: childEnv,
    graceMs: config.CANCEL_GRACE_S * 1000,
    killAfterMs: config.KILL_AFTER_S * 1000,
    setsidPath: ["/usr/bin/setsid", "/bin/setsid"].find(isExecutableFile) ?? null,
  });
  const now = () => Date.now();
  const newId = () => crypto.randomUUID();
  const startChat = createStartChat({
    runner,
    processes,
    directories: new DenoDirectories(),
    slots,
    metrics,
    logger,
    policy: {
      allowedRoots: config.ALLOWED_CWD_ROOTS?.map((root) => {
        try {
          return Deno.realPathSync(root);
        } catch {
          throw new ConfigError(`invalid ALLOWED_CWD_ROOTS: "${root}" does not exist`);
        }
      }) ?? null,
      allowedPermissionModes: config.ALLOWED_PERMISSION_MODES ?? null,
    },
    defaults: { permissionMode: config.DEFAULT_PERMISSION_MODE, model: config.DEFAULT_MODEL ?? null },
    limits: {
      maxLineBytes: config.MAX_LINE_BYTES,
      maxRunMs: config.MAX_RUN_S * 1000,
      idleMs: config.IDLE_TIMEOUT_S * 1000,
    },
    newId,
    now,
  });
  const app = createApp({
    startChat,
    cancelProcess: createCancelProcess({ processes }),
    listProcesses: createListProcesses({ processes }),
    health: createHealth({ cli, probe: new DenoCliProbe() }),
    metrics,
    slots,
    logger,
    auth: {
      user: config.AUTH_USER,
      password,
      maxFailures: config.AUTH_MAX_FAILURES,
      failureWindowMs: config.AUTH_FAILURE_WINDOW_S * 1000,
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    keepaliveMs: config.KEEPALIVE_S * 1000,
    now,
    newId,
    docs: registerDocs,
    docsAuth: config.DOCS_AUTH,
    corsOrigins: config.CORS_ORIGINS ?? null,
  });

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: config.HOST,
      port: config.PORT,
      // Our own "listening" line is printed instead of Deno's.
      onListen: () => {},
    }, (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot listen on HOST=${config.HOST} PORT=${config.PORT}: ${reason}`);
  }
  const addr = server.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  logger.info("listening", { url, max_concurrent: config.MAX_CONCURRENT });

  let shuttingDown: Promise<void> | null = null;
  return {
    url,
    config,
    finished: server.finished,
    shutdown() {
      shuttingDown ??= (async () => {
        const running = processes.list();
        logger.info("shutting down", { chats: running.length });
        const closed = server.shutdown();
        for (const process of running) process.stop("shutdown");
        await Promise.all(running.map((process) => process.finished));
        await closed;
        logger.info("stopped");
      })();
      return shuttingDown;
    },
    kill() {
      for (const process of processes.list()) process.kill();
    },
  };
}

function readEnv(): Record<string, string> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotenv(Deno.readTextFileSync(".env"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`cannot use .env: ${error instanceof Error ? error.message : error}`);
    }
  }
  return { ...fromFile, ...Deno.env.toObject() };
}

if (import.meta.main) {
  let server: Server;
  try {
    server = startServer(readEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`claudecode2api: ${error.message}`);
    Deno.exit(2);
  }
  console.log(`claudecode2api listening on ${server.url}`);
  const hint = tlsHint(server.config.HOST);
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
