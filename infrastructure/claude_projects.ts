import { ClaudeSessionArchive } from "./claude_session_archive.ts";
import { ClaudeSessionTranscripts } from "./claude_session_transcripts.ts";

/** Where the CLI keeps its sessions: `$CLAUDE_CONFIG_DIR/projects`, by default `$HOME/.claude/projects`. */
export function claudeProjectsDir(env: Record<string, string>): string {
  return `${env.CLAUDE_CONFIG_DIR ?? `${env.HOME ?? ""}/.claude`}/projects`;
}

/**
 * The CLI's saved sessions for the environment `env`: their transcripts to list, read and remove, and where
 * each was recorded.
 */
export function claudeSessionStores(env: Record<string, string>) {
  const projects = { projectsDir: claudeProjectsDir(env) };
  return { archive: new ClaudeSessionArchive(projects), transcripts: new ClaudeSessionTranscripts(projects) };
}
