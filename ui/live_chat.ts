/// <reference lib="dom" />
import { api, ApiError, apiUrl, type ProcessItem } from "./api.ts";
import { h } from "./dom.ts";
import type { PermissionResolvedData } from "../domain/chat_event.ts";
import { InteractiveControls, type PermissionRequest } from "./interactive.ts";
import { type DoneData, StreamView } from "./stream_view.ts";

/** What the console remembers of a chat it started (for the reload): its prompt. */
const promptKey = (processId: string) => `claudecode2api.prompt.${processId}`;

/** Remembers the prompt of a chat this tab started, so a reload shows it again. */
export function rememberPrompt(processId: string, prompt: string): void {
  sessionStorage.setItem(promptKey(processId), prompt);
}

/** A live view: closes its stream when the page leaves it. */
export interface LiveChat {
  element: HTMLElement;
  close(): void;
}

/**
 * Attaches to a chat's stream (`GET /chat/{id}/events`) and renders it. The browser's `EventSource`
 * reconnects by itself with `Last-Event-ID`, so a dropped connection loses nothing; a reload attaches anew
 * from the first retained event into an empty view. Events already shown (by id) are skipped.
 * @param handoff the `POST /chat` response that holds the chat until this watcher is attached, then dropped
 */
export function liveChat(processId: string, handoff?: Response): LiveChat {
  const view = new StreamView();
  const controls = new InteractiveControls(processId);
  const status = h("span", { class: "badge", role: "status", "aria-live": "polite" }, "connecting");
  const sessionLink = h("p", { class: "session-link" });
  const stop = h("button", { type: "button", class: "danger" }, "Stop");
  const element = h(
    "article",
    { class: "live", "data-process-id": processId },
    h(
      "header",
      { class: "live-head" },
      h("h2", {}, "Chat ", h("code", {}, processId.slice(0, 8))),
      status,
      stop,
    ),
    view.element,
    controls.element,
    sessionLink,
  );
  const prompt = sessionStorage.getItem(promptKey(processId));
  if (prompt) view.prompt(prompt);

  let lastId = 0;
  let finished = false;
  const source = new EventSource(apiUrl(`chat/${encodeURIComponent(processId)}/events`));
  const fresh = (event: MessageEvent) => {
    const id = Number(event.lastEventId);
    if (id && id <= lastId) return false;
    if (id) lastId = id;
    return true;
  };
  const on = (type: string, handle: (data: unknown) => void) =>
    source.addEventListener(type, (event) => {
      if (event instanceof MessageEvent && fresh(event)) handle(JSON.parse(event.data));
    });

  source.addEventListener("open", () => {
    status.textContent = "live";
    // The chat has a watcher now: the starting request's own stream is no longer needed.
    handoff?.body?.cancel().catch(() => {});
    handoff = undefined;
  });
  on("message", (line) => view.line(line));
  on("gap", (data) => view.gap(Number((data as { first_id?: number }).first_id)));
  on("permission_request", (data) => controls.request(data as PermissionRequest));
  on("permission_resolved", (data) => controls.resolved(data as PermissionResolvedData));
  source.addEventListener("error", (event) => {
    if (event instanceof MessageEvent) {
      if (fresh(event)) view.error(JSON.parse(event.data));
      return;
    }
    if (finished) return;
    status.textContent = source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting";
    if (source.readyState === EventSource.CLOSED) checkGone();
  });
  on("done", (data) => {
    finished = true;
    source.close();
    const done = data as DoneData;
    view.done(done);
    status.textContent = done.cancelled ? "stopped" : "finished";
    stop.hidden = true;
    controls.element.hidden = true;
    const session = done.session_id ?? view.sessionId;
    if (session) {
      sessionLink.replaceChildren(
        h("a", { href: `#/session/${session}` }, "Open this session to continue it"),
      );
    }
  });

  stop.addEventListener("click", async () => {
    stop.disabled = true;
    try {
      await api(`chat/${encodeURIComponent(processId)}`, { method: "DELETE" });
      status.textContent = "stopping";
    } catch (error) {
      stop.disabled = false;
      status.textContent = error instanceof ApiError ? error.message : String(error);
    }
  });

  async function checkGone(): Promise<void> {
    try {
      await api(`chat/${encodeURIComponent(processId)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        view.error({ message: error.message });
        stop.hidden = true;
      }
    }
  }

  // Interactive chats show their controls (their events may also reveal it).
  api<{ processes: ProcessItem[] }>("processes").then(({ processes }) => {
    if (processes.find((item) => item.process_id === processId)?.interactive) controls.show();
  }).catch(() => {});

  return {
    element,
    close() {
      source.close();
      handoff?.body?.cancel().catch(() => {});
    },
  };
}
