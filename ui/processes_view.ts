/// <reference lib="dom" />
import { api, type ProcessItem } from "./api.ts";
import { h, when } from "./dom.ts";

/** How often the list of running chats is refreshed while it is shown. */
const REFRESH_MS = 2000;

/** The running chats (`GET /processes`) with their live status; each can be opened or stopped. */
export function processesView(): { element: HTMLElement; close(): void } {
  const body = h("tbody");
  const empty = h("p", { class: "note", role: "status" });
  const element = h(
    "section",
    { class: "processes", "aria-labelledby": "processes-title" },
    h("h2", { id: "processes-title" }, "Running chats"),
    h(
      "div",
      { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Running chats" },
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Status", "Directory", "Model", "Started", "Watchers", ""].map((name) =>
              h("th", { scope: "col" }, name)
            ),
          ),
        ),
        body,
      ),
    ),
    empty,
  );
  async function refresh(): Promise<void> {
    try {
      const { processes } = await api<{ processes: ProcessItem[] }>("processes");
      empty.textContent = processes.length ? "" : "No chat is running.";
      body.replaceChildren(...processes.map((item) => {
        const stop = h("button", { type: "button", class: "danger small" }, "Stop");
        stop.addEventListener("click", async () => {
          stop.disabled = true;
          await api(`chat/${item.process_id}`, { method: "DELETE" }).catch(() => {});
          refresh();
        });
        return h(
          "tr",
          { "data-process-id": item.process_id },
          h(
            "td",
            {},
            h("span", { class: `badge ${item.status}` }, item.status),
            item.interactive ? " interactive" : "",
          ),
          h("td", {}, h("code", {}, item.cwd)),
          h("td", {}, item.model ?? "default"),
          h("td", {}, when(item.started_at)),
          h("td", {}, String(item.watchers)),
          h("td", { class: "actions" }, h("a", { href: `#/chat/${item.process_id}` }, "Open"), " ", stop),
        );
      }));
    } catch (error) {
      empty.textContent = String(error instanceof Error ? error.message : error);
    }
  }
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return { element, close: () => clearInterval(timer) };
}
