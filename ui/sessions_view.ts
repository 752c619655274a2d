/// <reference lib="dom" />
import { api, ApiError, type SessionItem, startChat, type StartedChat, type Transcript } from "./api.ts";
import { assistantBlock, thinkingBlock, toolCallBlock, userBlock } from "./blocks.ts";
import { h, when } from "./dom.ts";
import { directoryPicker } from "./directory_picker.ts";
import { rememberPrompt } from "./live_chat.ts";

/** Sessions per page. */
const PAGE = 20;

/** The sessions of a directory (`GET /sessions`), newest first, a page at a time. */
export function sessionsView(cwd: string | null, onCwd: (cwd: string) => void): HTMLElement {
  const list = h("ul", { class: "sessions" });
  const status = h("p", { class: "note", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "More");
  let next: number | null = 0;
  let current = cwd;

  async function load(reset: boolean): Promise<void> {
    if (!current) return;
    if (reset) {
      list.replaceChildren();
      next = 0;
    }
    try {
      const page = await api<{ sessions: SessionItem[]; total: number; next_offset: number | null }>(
        `sessions?cwd=${encodeURIComponent(current)}&offset=${next ?? 0}&limit=${PAGE}`,
      );
      next = page.next_offset;
      more.hidden = next === null;
      status.textContent = page.total ? `${page.total} sessions in ${current}` : `No sessions in ${current}`;
      list.append(...page.sessions.map(sessionItem));
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : String(error);
    }
  }

  function sessionItem(session: SessionItem): HTMLElement {
    const remove = h("button", {
      type: "button",
      class: "danger small",
      "aria-label": `Delete session ${session.title ?? session.session_id}`,
    }, "Delete");
    const item = h(
      "li",
      { "data-session-id": session.session_id },
      h(
        "a",
        { href: `#/session/${session.session_id}`, class: "session-title" },
        session.title ?? "(untitled)",
      ),
      h("span", { class: "note" }, ` ${when(session.last_activity_at)} · ${session.message_count} messages `),
      remove,
    );
    remove.addEventListener("click", async () => {
      if (
        !confirm(
          `Delete the session "${session.title ?? session.session_id}"? It cannot be continued afterwards.`,
        )
      ) return;
      try {
        await api(`sessions/${session.session_id}`, { method: "DELETE" });
        item.remove();
      } catch (error) {
        status.textContent = error instanceof ApiError ? error.message : String(error);
      }
    });
    return item;
  }

  const picker = directoryPicker("sessions-cwd", (path) => {
    if (path === current) return;
    current = path;
    onCwd(path);
    load(true);
  });
  more.addEventListener("click", () => load(false));
  picker.show(cwd ?? undefined).then(() => load(true));
  return h(
    "section",
    { class: "sessions-view", "aria-labelledby": "sessions-title" },
    h("h2", { id: "sessions-title" }, "Past sessions"),
    h("label", { for: "sessions-cwd" }, "Directory"),
    picker.element,
    status,
    list,
    more,
  );
}

/** A session's transcript (`GET /sessions/{id}`) and a form that continues it. */
export function transcriptView(sessionId: string, started: (chat: StartedChat) => void): HTMLElement {
  const entries = h("div", { class: "stream transcript" });
  const head = h(
    "header",
    { class: "live-head" },
    h("h2", {}, "Session ", h("code", {}, sessionId.slice(0, 8))),
  );
  const meta = h("p", { class: "note" });
  const prompt = h("textarea", { id: "continue-prompt", rows: 3, required: true });
  const problem = h("p", { class: "problem", role: "alert" });
  const form = h(
    "form",
    { class: "continue", "aria-label": "Continue this session", hidden: true },
    h("label", { for: "continue-prompt" }, "Continue this session"),
    prompt,
    problem,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Continue")),
  );
  let cwd: string | null = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!cwd) return;
    try {
      const chat = await startChat({
        prompt: prompt.value,
        cwd,
        session_id: sessionId,
        include_partial_messages: true,
        detach_grace_s: 300,
      });
      rememberPrompt(chat.processId, prompt.value);
      started(chat);
    } catch (error) {
      problem.textContent = error instanceof ApiError ? error.message : String(error);
    }
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  api<Transcript>(`sessions/${encodeURIComponent(sessionId)}`).then((transcript) => {
    cwd = transcript.cwd;
    head.querySelector("h2")?.replaceChildren(transcript.title ?? "Session");
    meta.textContent = `${transcript.cwd ?? ""} · ${
      when(transcript.last_activity_at)
    } · ${transcript.message_count} messages`;
    for (const entry of transcript.entries) {
      if (entry.type === "user") entries.append(userBlock(entry.text));
      else if (entry.type === "assistant") entries.append(assistantBlock(entry.text));
      else if (entry.type === "thinking") entries.append(thinkingBlock(entry.text));
      else {
        const call = toolCallBlock(entry.name, entry.input, entry.tool_use_id);
        if (entry.result) call.setResult(entry.result.content, entry.result.is_error);
        entries.append(call.element);
      }
    }
    form.hidden = cwd === null;
  }).catch((error) => {
    meta.textContent = error instanceof ApiError ? error.message : String(error);
  });
  return h("article", { class: "transcript-view" }, head, meta, entries, form);
}
