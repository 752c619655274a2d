import { LineSplitter } from "../application/line_splitter.ts";
import type { SessionArchive, SessionPage, SessionTranscript } from "../domain/session_archive.ts";
import {
  DEFAULT_LIMITS,
  firstRecordedCwd,
  orIfMissing,
  projectDirName,
} from "./claude_session_transcripts.ts";
import { removePaths } from "./remove_paths.ts";
import { TranscriptBuilder, transcriptOf } from "./transcript_entries.ts";

/** Longer transcript lines (a huge pasted file) are skipped, not parsed. */
const MAX_LINE_BYTES = 32 * 1024 * 1024;
/** The CLI names transcripts by session id, a UUID; nothing else may reach a path. */
const SESSION_ID = /^[0-9a-zA-Z-]+$/;

/** Feeds every JSON line of the file at `path` to `builder`, skipping lines that are not JSON. */
async function readInto(path: string, builder: TranscriptBuilder): Promise<void> {
  const file = await Deno.open(path);
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  const decoder = new TextDecoder();
  const take = (line: Uint8Array) => {
    // A line cut at the limit is not JSON, and so skipped.
    if (line.length >= MAX_LINE_BYTES) return;
    try {
      builder.add(JSON.parse(decoder.decode(line)));
    } catch {
      // A line the CLI was writing when it stopped.
    }
  };
  for await (const chunk of file.readable) for (const line of splitter.push(chunk)) take(line);
  const last = splitter.flush();
  if (last) take(last);
}

/** One transcript file and when it was last written. */
interface Found {
  path: string;
  id: string;
  modified: Date;
}

/**
 * The CLI's saved sessions on disk, read and removed: `<projectsDir>/<project dir of cwd>/<session id>.jsonl`
 * (and, for sessions with subagents, a `<session id>/` folder beside it).
 */
export class ClaudeSessionArchive implements SessionArchive {
  readonly #projectsDir: string;

  /** @param deps.projectsDir `$CLAUDE_CONFIG_DIR/projects`, by default `$HOME/.claude/projects` */
  constructor(deps: { projectsDir: string }) {
    this.#projectsDir = deps.projectsDir;
  }

  async list(cwd: string, page: { offset: number; limit: number }): Promise<SessionPage> {
    const dir = `${this.#projectsDir}/${projectDirName(cwd)}`;
    const entries = await orIfMissing(() => Array.fromAsync(Deno.readDir(dir)), []);
    const found: Found[] = [];
    for (const entry of entries) {
      if (!entry.isFile || !entry.name.endsWith(".jsonl")) continue;
      const path = `${dir}/${entry.name}`;
      // Two directories can share a project directory ("/a/b-c", "/a/b/c"): only those recorded in `cwd`.
      const recorded = await orIfMissing(() => firstRecordedCwd(path, DEFAULT_LIMITS), null);
      const info = recorded === cwd ? await orIfMissing(() => Deno.stat(path), null) : null;
      if (info) {
        found.push({ path, id: entry.name.slice(0, -".jsonl".length), modified: info.mtime ?? new Date(0) });
      }
    }
    // Newest first; the id breaks ties so pages never overlap.
    found.sort((a, b) => b.modified.getTime() - a.modified.getTime() || a.id.localeCompare(b.id));
    const sessions = [];
    for (const file of found.slice(page.offset, page.offset + page.limit)) {
      const builder = new TranscriptBuilder(false);
      const read = await orIfMissing(() => readInto(file.path, builder).then(() => true), false);
      if (!read) continue;
      const { cwd: _, entries: __, ...summary } = transcriptOf(file.id, builder, file.modified);
      sessions.push(summary);
    }
    return { sessions, total: found.length };
  }

  async read(sessionId: string): Promise<SessionTranscript | null> {
    const newest =
      (await this.#find(sessionId)).sort((a, b) => b.modified.getTime() - a.modified.getTime())[0];
    if (!newest) return null;
    const builder = new TranscriptBuilder();
    const read = await orIfMissing(() => readInto(newest.path, builder).then(() => true), false);
    return read ? transcriptOf(sessionId, builder, newest.modified) : null;
  }

  async remove(sessionId: string): Promise<boolean> {
    const found = await this.#find(sessionId);
    await removePaths(found.flatMap((file) => [file.path, file.path.slice(0, -".jsonl".length)]));
    return found.length > 0;
  }

  /** Every transcript of `sessionId`, in whichever project directory. */
  async #find(sessionId: string): Promise<Found[]> {
    if (!SESSION_ID.test(sessionId)) return [];
    const projects = await orIfMissing(() => Array.fromAsync(Deno.readDir(this.#projectsDir)), []);
    const found: Found[] = [];
    for (const project of projects) {
      if (!project.isDirectory) continue;
      const path = `${this.#projectsDir}/${project.name}/${sessionId}.jsonl`;
      const info = await orIfMissing(() => Deno.stat(path), null);
      if (info?.isFile) found.push({ path, id: sessionId, modified: info.mtime ?? new Date(0) });
    }
    return found;
  }
}
