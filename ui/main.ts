/// <reference lib="dom" />
/**
 * The web console: start a chat, watch it live, see the running chats, read and continue past sessions.
 * Built only on the gateway's public API; routes live in the URL's hash, so a reload shows the same view.
 *
 * @module
 */
import { api, type StartedChat } from "./api.ts";
import { h, replace } from "./dom.ts";
import { liveChat } from "./live_chat.ts";
import { processesView } from "./processes_view.ts";
import { sessionsView, transcriptView } from "./sessions_view.ts";
import { startForm } from "./start_form.ts";

const main = document.getElementById("main")!;
/** What the current view must stop (a stream, a timer) when another replaces it. */
let closeView: () => void = () => {};
/** The response of a chat just started here, until its live view has attached. */
let handoff: StartedChat | null = null;
/** Whether the gateway has interactive chats (its OpenAPI document names the field). */
let interactive: Promise<boolean> | null = null;

function hasInteractive(): Promise<boolean> {
  interactive ??= api<
    { components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> } }
  >("openapi.json")
    .then((document) => Boolean(document.components?.schemas?.ChatRequest?.properties?.interactive))
    .catch(() => false);
  return interactive;
}

function started(chat: StartedChat): void {
  handoff = chat;
  location.hash = `#/chat/${chat.processId}`;
}

/** Marks the navigation link of the current view. */
function markNav(section: string): void {
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("data-section") === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route(): Promise<void> {
  closeView();
  closeView = () => {};
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "chat" && parts[1]) {
    markNav("running");
    const chat = liveChat(parts[1], handoff?.processId === parts[1] ? handoff.response : undefined);
    handoff = null;
    closeView = chat.close;
    replace(main, chat.element);
  } else if (parts[0] === "running") {
    markNav("running");
    const view = processesView();
    closeView = view.close;
    replace(main, view.element);
  } else if (parts[0] === "sessions") {
    markNav("sessions");
    replace(
      main,
      sessionsView(
        params.get("cwd"),
        (cwd) => history.replaceState(null, "", `#/sessions?cwd=${encodeURIComponent(cwd)}`),
      ),
    );
  } else if (parts[0] === "session" && parts[1]) {
    markNav("sessions");
    replace(main, transcriptView(parts[1], started));
  } else {
    markNav("new");
    const form = startForm(started, {
      interactive: await hasInteractive(),
      cwd: params.get("cwd") ?? undefined,
    });
    replace(
      main,
      h("section", { "aria-labelledby": "new-title" }, h("h2", { id: "new-title" }, "New chat"), form),
    );
  }
  main.focus({ preventScroll: true });
}

globalThis.addEventListener("hashchange", route);
route();
