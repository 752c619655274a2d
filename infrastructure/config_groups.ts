import type { LogLevel } from "../application/logger.ts";
import type { PermissionMode } from "../domain/chat_request.ts";
import type { SandboxMode } from "../domain/sandbox_mode.ts";

/**
 * The validated configuration, grouped by the part of the gateway that uses it and in the units it needs
 * (durations in milliseconds, `null` for "not set"): each group is passed on as it is.
 */
export interface Config {
  /** Where to listen, and the bounds of the connection gate (0: none; both 0: no gate). */
  server: { host: string; port: number; maxConnections: number; headerTimeoutMs: number };
  /** Basic Auth; `password` null when the gateway must generate one. */
  auth: {
    user: string;
    password: string | null;
    maxFailures: number;
    failureWindowMs: number;
    /** Keys accepted as `Authorization: Bearer` or `x-api-key` (`API_KEYS` and `API_KEYS_FILE`). */
    apiKeys: string[];
  };
  /** The compatible doors: tool trace default, where scratch directories go, how many conversations are kept. */
  doors: { toolTrace: boolean; scratchRoot: string; maxConversations: number };
  /** The CLI executable (`CLAUDE_PATH`, null: look for it) and how a chat's CLI is stopped. */
  cli: { path: string | null; graceMs: number; killAfterMs: number };
  /** What `createStartChat` takes: request defaults, policy (roots resolved to real paths), limits. */
  chat: {
    defaults: { permissionMode: PermissionMode; model: string | null };
    policy: {
      allowedRoots: string[] | null;
      allowedPermissionModes: PermissionMode[] | null;
      deniedFields: string[] | null;
    };
    limits: { maxLineBytes: number; maxRunMs: number; idleMs: number; inactiveMs: number };
    /** How chats talk with their CLI: permission and control timeouts, the stop's grace. */
    interaction: { permissionTimeoutMs: number; controlTimeoutMs: number; graceMs: number };
    /** The most bytes one image of a request may have, decoded. */
    maxImageBytes: number;
  };
  /** What `ChatSlots` takes. */
  slots: { maxConcurrent: number; queueMax: number; queueTimeoutMs: number };
  /** The HTTP edge's own settings, as `createApp` takes them. */
  http: {
    maxBodyBytes: number;
    keepaliveMs: number;
    /** A stream client that takes nothing this long while events wait is cut off (0: never). */
    sendTimeoutMs: number;
    corsOrigins: string[] | null;
    docsAuth: boolean;
    /** Proxies whose `X-Forwarded-For` names the client (addresses, CIDRs); null: none. */
    trustedProxies: string[] | null;
  };
  /** Watching chats: what each retains for reattaching, how long finished ones stay, detach grace. */
  watch: {
    replayBytes: number;
    retainFinishedMs: number;
    retainFinishedMax: number;
    detach: { defaultGraceMs: number; maxGraceMs: number };
  };
  /** How each chat's CLI is confined, and the extra paths (real paths) its sandbox reads and writes. */
  sandbox: { mode: SandboxMode; roPaths: string[]; rwPaths: string[] };
  /** Spare CLIs started ahead: per configuration (0: none), in all, and how long one waits unused (0: no limit). */
  warm: { perConfig: number; max: number; idleMs: number };
  logLevel: LogLevel;
}
