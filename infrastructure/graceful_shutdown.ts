import type { Logger } from "../application/logger.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";
import type { ResilientServer } from "./resilient_http_server.ts";

/** What a graceful shutdown ends, and in which order. */
export interface ShutdownParts {
  server: ResilientServer;
  /** The chats: each is stopped as DELETE stops it, and waited for. */
  processes: ProcessRepository;
  logger: Logger;
  /** Ended at once alongside the chats, not waited for like them (the warm pool's spares). */
  early?: { close(): Promise<void>; kill(): void } | null;
  /** Closed in order once every chat is over and the server closed. */
  afterChats: (() => unknown)[];
}

/**
 * The gateway's graceful shutdown (once, however often asked): stops accepting, stops every chat and waits
 * for it, then closes the rest; and its kill, which ends every CLI at once (a second stop signal).
 * @param parts what to end
 */
export function gracefulShutdown(parts: ShutdownParts): { shutdown(): Promise<void>; kill(): void } {
  const { server, processes, logger, early } = parts;
  let shuttingDown: Promise<void> | null = null;
  return {
    shutdown() {
      shuttingDown ??= (async () => {
        const running = processes.list();
        logger.info("shutting down", { chats: running.length });
        const closed = server.shutdown();
        const ending = early?.close();
        for (const process of running) process.stop("shutdown");
        await Promise.all(running.map((process) => process.finished));
        await ending;
        await closed;
        for (const close of parts.afterChats) await close();
        logger.info("stopped");
      })();
      return shuttingDown;
    },
    kill() {
      early?.kill();
      for (const process of processes.list()) process.kill();
    },
  };
}
