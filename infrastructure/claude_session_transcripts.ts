import { concatBytes } from "../application/concat_bytes.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";

/** Limits of {@link ClaudeSessionTranscripts}' reading, so a huge transcript costs little. */
export interface TranscriptReadLimits {
  /** The most bytes read from one transcript while looking for its `cwd` (default 16 MiB). */
  maxScanBytes: number;
  /** Longer lines (e.g. a huge prompt) are skipped unparsed (default 1 MiB). */
  maxLineBytes: number;
}

/** The limits used unless others are given. */
export const DEFAULT_LIMITS: TranscriptReadLimits = {
  maxScanBytes: 16 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
};
const NEWLINE = 10;

/** The name the CLI gives the project directory of `cwd`: every character but a letter or digit becomes `-`. */
export function projectDirName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, "-");
}

/** The top-level `cwd` of one transcript line, if it is a JSON object that has one. */
function cwdOfLine(line: Uint8Array): string | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(line));
    if (typeof value !== "object" || value === null || !("cwd" in value)) return null;
    return typeof value.cwd === "string" ? value.cwd : null;
  } catch {
    return null;
  }
}

/**
 * The first `cwd` recorded in the transcript at `path`, reading it line by line within `limits`.
 * @throws {Deno.errors.NotFound} when there is no such file
 */
export async function firstRecordedCwd(path: string, limits: TranscriptReadLimits): Promise<string | null> {
  const file = await Deno.open(path);
  try {
    let line: Uint8Array[] = [];
    let lineBytes = 0;
    let scanned = 0;
    const buffer = new Uint8Array(64 * 1024);
    while (scanned < limits.maxScanBytes) {
      const read = await file.read(buffer);
      if (read === null) break;
      scanned += read;
      let start = 0;
      for (
        let end = buffer.indexOf(NEWLINE, 0);
        end !== -1 && end < read;
        end = buffer.indexOf(NEWLINE, start)
      ) {
        const piece = buffer.slice(start, end);
        const whole = lineBytes + piece.length <= limits.maxLineBytes ? concatBytes([...line, piece]) : null;
        const cwd = whole === null ? null : cwdOfLine(whole);
        if (cwd !== null) return cwd;
        line = [];
        lineBytes = 0;
        start = end + 1;
      }
      lineBytes += read - start;
      // Past the longest line worth parsing: count its bytes, keep none.
      line = lineBytes <= limits.maxLineBytes ? [...line, buffer.slice(start, read)] : [];
    }
    return null;
  } finally {
    file.close();
  }
}

/**
 * Runs `read`, giving `fallback` when the path it reads does not exist.
 * @param read what reads the path
 * @param fallback the answer for a missing path
 */
export async function orIfMissing<T>(read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return fallback;
    throw error;
  }
}

/**
 * The CLI's saved sessions on disk: `<projectsDir>/<project dir of cwd>/<session id>.jsonl`, one JSON object
 * a line, most lines carrying the `cwd` the CLI ran in.
 */
export class ClaudeSessionTranscripts implements SessionTranscripts {
  readonly #projectsDir: string;
  readonly #limits: TranscriptReadLimits;

  /** @param deps.projectsDir `$CLAUDE_CONFIG_DIR/projects`, by default `$HOME/.claude/projects` */
  constructor(deps: { projectsDir: string; limits?: TranscriptReadLimits }) {
    this.#projectsDir = deps.projectsDir;
    this.#limits = deps.limits ?? DEFAULT_LIMITS;
  }

  async cwdsOf(sessionId: string): Promise<(string | null)[]> {
    // The schema takes only UUIDs; anything else could name a path.
    if (!/^[0-9a-zA-Z-]+$/.test(sessionId)) return [];
    const found: (string | null)[] = [];
    const projects = await orIfMissing(() => Array.fromAsync(Deno.readDir(this.#projectsDir)), []);
    for (const project of projects) {
      if (!project.isDirectory) continue;
      const path = `${this.#projectsDir}/${project.name}/${sessionId}.jsonl`;
      const cwd = await orIfMissing(() => firstRecordedCwd(path, this.#limits), undefined);
      if (cwd !== undefined) found.push(cwd);
    }
    return found;
  }

  async latestIn(cwd: string): Promise<string | null> {
    const dir = `${this.#projectsDir}/${projectDirName(cwd)}`;
    const entries = await orIfMissing(() => Array.fromAsync(Deno.readDir(dir)), []);
    let latest: { id: string; mtime: number } | null = null;
    for (const entry of entries) {
      if (!entry.isFile || !entry.name.endsWith(".jsonl")) continue;
      const info = await orIfMissing(() => Deno.stat(`${dir}/${entry.name}`), null);
      const mtime = info?.mtime?.getTime() ?? 0;
      if (info !== null && (latest === null || mtime > latest.mtime)) {
        latest = { id: entry.name.slice(0, -".jsonl".length), mtime };
      }
    }
    return latest?.id ?? null;
  }
}
