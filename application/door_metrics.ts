import type { RunUsage } from "./answer_assembler.ts";

/** The compatible doors. */
export const DOORS = ["openai", "anthropic"] as const;

/** One of {@link DOORS}. */
export type Door = typeof DOORS[number];

/** How a door's answer ended. */
export type DoorOutcome = "success" | "error" | "disconnected";

/** The counters of one door. */
export interface DoorCounters {
  /** Chats started, by whether they stream. */
  chats: { stream: number; whole: number };
  /** Answers, by how they ended. */
  finished: Record<DoorOutcome, number>;
  /** Requests refused before a chat started, by HTTP status. */
  refused: Map<number, number>;
  /** Tokens the CLI's result lines reported. */
  tokens: RunUsage;
  /** Chats that resumed a session, that started one with a transcript, that started afresh. */
  continuations: { resumed: number; transcript: number; new: number };
}

function counters(): DoorCounters {
  return {
    chats: { stream: 0, whole: 0 },
    finished: { success: 0, error: 0, disconnected: 0 },
    refused: new Map(),
    tokens: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    continuations: { resumed: 0, transcript: 0, new: 0 },
  };
}

/** What the compatible doors count, per door; `GET /metrics` renders it. */
export class DoorMetrics {
  readonly #doors: Record<Door, DoorCounters> = { openai: counters(), anthropic: counters() };

  /** A door started a chat. */
  started(door: Door, options: { stream: boolean; continuation: keyof DoorCounters["continuations"] }): void {
    const counts = this.#doors[door];
    if (options.stream) counts.chats.stream++;
    else counts.chats.whole++;
    counts.continuations[options.continuation]++;
  }

  /** A door's answer ended; `usage` from the CLI's result line, when there was one. */
  finished(door: Door, outcome: DoorOutcome, usage: RunUsage | null): void {
    const counts = this.#doors[door];
    counts.finished[outcome]++;
    if (usage === null) return;
    for (const key of Object.keys(usage) as (keyof RunUsage)[]) counts.tokens[key] += usage[key];
  }

  /** A door refused a request with `status`. */
  refused(door: Door, status: number): void {
    const refused = this.#doors[door].refused;
    refused.set(status, (refused.get(status) ?? 0) + 1);
  }

  /** The counters of one door. */
  of(door: Door): Readonly<DoorCounters> {
    return this.#doors[door];
  }
}
