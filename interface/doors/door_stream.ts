import type { LogRead } from "../../application/event_log.ts";
import type { NumberedEventSource } from "../sse.ts";
import type { DoorPiece, DoorRun, DoorRunEnd } from "./door_run.ts";

/** How one dialect writes an answer as a stream: its opening events, each text delta, its ending. */
export interface StreamDialect {
  /** What opens the stream, before any text. */
  head(): string;
  /** One text delta. */
  text(text: string): string;
  /** The end: the finish reason and usage, or an error; whatever ends the dialect's stream. */
  end(end: DoorRunEnd): string;
}

const encoder = new TextEncoder();

/**
 * A door run as the numbered source `sseBody` pulls (so a door's stream keeps what every chat stream has: it is
 * read only as fast as the client takes it, keepalives while it is silent, the send timeout, and a client
 * gone closes the run, which stops the chat).
 * @param run the run, already read up to `buffered`
 * @param buffered pieces read before the response started (to learn the session id)
 * @param dialect how the pieces are written
 */
export function doorStreamSource(
  run: DoorRun,
  buffered: DoorPiece[],
  dialect: StreamDialect,
): NumberedEventSource {
  let id = 0;
  let pending: DoorPiece[] | null = buffered;
  let over = false;
  const write = (pieces: DoorPiece[]) =>
    pieces.map((piece) => {
      if (piece.type === "text") return dialect.text(piece.text);
      over = true;
      return dialect.end(piece.end);
    }).join("");
  const read = (text: string): LogRead => ({ gapFrom: null, chunks: [encoder.encode(text)], lastId: ++id });
  return {
    async next() {
      if (pending !== null) {
        const first = dialect.head() + write(pending);
        pending = null;
        return read(first);
      }
      while (!over) {
        const pieces = await run.next();
        if (pieces === null) break;
        const text = write(pieces);
        if (text !== "") return read(text);
      }
      return null;
    },
    close: () => run.close(),
  };
}

/** Reads a run until it knows its session (the CLI's first line names it) or it ends; returns what it read. */
export async function readUntilSession(run: DoorRun): Promise<DoorPiece[]> {
  const pieces: DoorPiece[] = [];
  while (run.sessionId === null) {
    const more = await run.next();
    if (more === null) break;
    pieces.push(...more);
    if (more.some((piece) => piece.type === "end")) break;
  }
  return pieces;
}
