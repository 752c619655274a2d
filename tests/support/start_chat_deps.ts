import { ChatSlots } from "../../application/chat_slots.ts";
import { silentLogger } from "../../application/logger.ts";
import { Metrics } from "../../application/metrics.ts";
import type { StartChatDeps } from "../../application/start_chat.ts";
import { InMemoryProcessRepository } from "../../infrastructure/in_memory_process_repository.ts";
import { systemClock } from "../../infrastructure/system_clock.ts";
import { FakeSessionTranscripts } from "./fake_session_transcripts.ts";
import { FakeCliRunner, FakeDirectories } from "./fakes.ts";

/**
 * StartChat's dependencies over fakes: no policy, no time limits, 4 slots, the system clock (a test that
 * drives time passes a FakeClock, and slots made with it); `overrides` replace any part.
 */
export function fakeStartChatDeps(
  overrides: Partial<Omit<StartChatDeps, "runner">> & { runner?: FakeCliRunner } = {},
): StartChatDeps & { runner: FakeCliRunner } {
  let ids = 0;
  const clock = overrides.clock ?? systemClock;
  return {
    runner: new FakeCliRunner(),
    processes: new InMemoryProcessRepository(),
    directories: new FakeDirectories(["/work", "/tmp"]),
    sessions: new FakeSessionTranscripts(),
    slots: new ChatSlots({ maxConcurrent: 4, queueMax: 4, queueTimeoutMs: 60_000, clock }),
    metrics: new Metrics(),
    logger: silentLogger,
    policy: { allowedRoots: null, allowedPermissionModes: null, deniedFields: null },
    defaults: { permissionMode: "acceptEdits", model: null },
    limits: { maxLineBytes: 1 << 20, maxRunMs: 0, idleMs: 0, inactiveMs: 0 },
    maxImageBytes: 1024 * 1024,
    interaction: { permissionTimeoutMs: 300_000, controlTimeoutMs: 10_000, graceMs: 5_000 },
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
    clock,
    ...overrides,
  };
}
