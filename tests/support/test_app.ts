import assert from "node:assert/strict";
import { createCancelProcess } from "../../application/cancel_process.ts";
import { createChatControls } from "../../application/chat_controls.ts";
import { ChatSlots } from "../../application/chat_slots.ts";
import type { Health } from "../../application/health.ts";
import { createListDirectories } from "../../application/list_directories.ts";
import { createListProcesses } from "../../application/list_processes.ts";
import { createSessions } from "../../application/sessions.ts";
import { silentLogger } from "../../application/logger.ts";
import { Conversations } from "../../application/conversations.ts";
import { DoorMetrics } from "../../application/door_metrics.ts";
import { createStartChat } from "../../application/start_chat.ts";
import { createStartDoorChat } from "../../application/start_door_chat.ts";
import { DOOR_MODELS } from "../../domain/door_models.ts";
import { createStartWatchedChat } from "../../application/start_watched_chat.ts";
import { WatchedChats, type WatchedChatsOptions } from "../../application/watched_chats.ts";
import { type AppDeps, createApp } from "../../interface/app.ts";
import { encodeBatch } from "../../interface/sse_frame.ts";
import { registerDocs } from "../../interface/docs.ts";
import { DenoDirectories } from "../../infrastructure/deno_directories.ts";
import { systemClock } from "../../infrastructure/system_clock.ts";
import { FakeSessionArchive } from "./fake_session_archive.ts";
import { FakeScratchDirectories } from "./fake_scratch_directories.ts";
import { fakeStartChatDeps } from "./start_chat_deps.ts";

/** Credentials of the test app. */
export const USER = "admin";
export const PASSWORD = "s3cret pass:word";
export const AUTH = { Authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` };
/** The API key the test app accepts (`Authorization: Bearer`, `x-api-key`). */
export const API_KEY = "sk-test-0123456789abcdef";

/** The real app with the real use cases over fake ports. */
export function buildTestApp(
  options: {
    app?: Partial<AppDeps>;
    startChat?: Parameters<typeof fakeStartChatDeps>[0];
    maxConcurrent?: number;
    queueMax?: number;
    /** Retention and detach settings of the watched chats. */
    watch?: Partial<WatchedChatsOptions> & { defaultGraceMs?: number; maxGraceMs?: number };
    /** The saved sessions `/sessions` serves (default: none). */
    archive?: FakeSessionArchive;
    /** ALLOWED_CWD_ROOTS of `/directories` (default: none, so `home` is the root). */
    directoryRoots?: string[];
    /** The home `/directories` lists without roots (default `/tmp`). */
    home?: string;
    /** The compatible doors' settings. */
    doors?: { toolTrace?: boolean; maxConversations?: number };
  } = {},
) {
  const deps = fakeStartChatDeps({
    slots: new ChatSlots({
      maxConcurrent: options.maxConcurrent ?? 4,
      queueMax: options.queueMax ?? 4,
      queueTimeoutMs: 60_000,
      clock: systemClock,
    }),
    ...options.startChat,
  });
  const { runner, processes, metrics, slots, newId, clock } = deps;
  const archive = options.archive ?? new FakeSessionArchive();
  let tokens = 0;
  const watched = new WatchedChats({
    replayBytes: 1 << 20,
    retainFinishedMs: 300_000,
    retainFinishedMax: 100,
    clock,
    newToken: () => `token-${++tokens}`,
    encode: encodeBatch,
    ...options.watch,
  });
  const startChat = createStartWatchedChat({
    startChat: createStartChat(deps),
    watched,
    detach: {
      defaultGraceMs: options.watch?.defaultGraceMs ?? 0,
      maxGraceMs: options.watch?.maxGraceMs ?? 600_000,
    },
  });
  const health: Health = () =>
    Promise.resolve({
      status: "ok",
      claude_path: "/usr/bin/claude",
      claude_version: "2.1.328 (Claude Code)",
      sandbox: "off",
    });
  const scratch = new FakeScratchDirectories();
  const conversations = new Conversations({
    maxEntries: options.doors?.maxConversations ?? 100,
    scratch,
    logger: silentLogger,
  });
  const doorMetrics = new DoorMetrics();
  const app = createApp({
    startChat,
    watched,
    retainFinishedS: 300,
    cancelProcess: createCancelProcess({ processes }),
    controls: createChatControls({ policy: deps.policy, maxImageBytes: deps.maxImageBytes }),
    listProcesses: createListProcesses({ processes, watched }),
    sessions: createSessions({
      archive,
      transcripts: deps.sessions,
      directories: deps.directories,
      processes,
      allowedRoots: deps.policy.allowedRoots,
    }),
    // The real file system: the tests list temp directories they make.
    listDirectories: createListDirectories({
      directories: new DenoDirectories(),
      allowedRoots: options.directoryRoots ?? null,
      home: options.home ?? "/tmp",
    }),
    health,
    metrics,
    slots,
    logger: silentLogger,
    auth: { user: USER, password: PASSWORD, maxFailures: 3, failureWindowMs: 60_000, apiKeys: [API_KEY] },
    maxBodyBytes: 64 * 1024,
    keepaliveMs: 0,
    clock,
    newId,
    doors: {
      startDoorChat: createStartDoorChat({ startChat, conversations, sessions: deps.sessions }),
      doorMetrics,
      toolTrace: options.doors?.toolTrace ?? false,
      models: DOOR_MODELS,
    },
    ...options.app,
  });
  return { app, runner, processes, metrics, slots, watched, archive, conversations, scratch, doorMetrics };
}

/** A JSON POST /chat with the test credentials. */
export function chatRequest(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json", ...AUTH, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** The JSON error shape, as tests read it. */
export interface ErrorJson {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

/** The test app with the docs routes. */
export function buildDocsApp(docsAuth = false) {
  return buildTestApp({ app: { docs: registerDocs, docsAuth } }).app;
}

/** The OpenAPI document the test app serves. */
// deno-lint-ignore no-explicit-any
export async function fetchOpenApiDocument(): Promise<any> {
  const response = await buildDocsApp().request("/openapi.json");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^application\/json/);
  return await response.json();
}
