/// <reference lib="dom" />

/** The gateway's JSON error shape. */
interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** A failed API call: its status and the gateway's message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The gateway's base: the console lives at `<base>/ui`, so a proxy may mount it under a prefix. */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ""), new URL("./", document.baseURI)).href;
}

async function failure(response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => ({})) as ErrorBody;
  return new ApiError(
    response.status,
    body.error?.code ?? "http_error",
    body.error?.message ?? `HTTP ${response.status} ${response.statusText}`,
  );
}

/** A JSON call to the gateway (same origin, the browser's Basic Auth); throws {@link ApiError} on a 4xx/5xx. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(apiUrl(path), {
    method: init.method ?? "GET",
    headers: init.body === undefined ? {} : { "Content-Type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw await failure(response);
  return await response.json() as T;
}

/** A started chat: its id, and the response whose stream holds it until a watcher takes over. */
export interface StartedChat {
  processId: string;
  /** Reading stops (and the connection closes) when the caller no longer needs it. */
  response: Response;
}

/** `POST /chat`: starts a chat and answers once its headers are in. */
export async function startChat(body: Record<string, unknown>): Promise<StartedChat> {
  const response = await fetch(apiUrl("chat"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  const processId = response.headers.get("X-Process-ID");
  if (!processId) throw new ApiError(500, "no_process_id", "the gateway sent no X-Process-ID");
  return { processId, response };
}

/** One chat of `GET /processes`. */
export interface ProcessItem {
  process_id: string;
  cwd: string;
  model: string | null;
  started_at: string;
  session_id: string | null;
  status: string;
  watchers: number;
  last_event_id: number;
  /** Set by gateways with interactive chats. */
  interactive?: boolean;
}

/** One session of `GET /sessions`, one entry of a transcript, `GET /sessions/{id}`: the gateway's own types. */
export type {
  SessionSummary as SessionItem,
  SessionTranscript as Transcript,
  TranscriptEntry,
} from "../domain/session_archive.ts";
/** `GET /directories`. */
export type { DirectoryList } from "../application/list_directories.ts";
