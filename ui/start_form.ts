/// <reference lib="dom" />
import { PERMISSION_MODES } from "../domain/chat_request.ts";
import { ApiError, startChat, type StartedChat } from "./api.ts";
import { directoryPicker } from "./directory_picker.ts";
import { h } from "./dom.ts";
import { rememberPrompt } from "./live_chat.ts";

const MODELS = ["sonnet", "opus", "haiku"];

/** How long a chat started here runs on while no page watches it (a reload, a lost connection). */
const DEFAULT_GRACE_S = 300;

function field(label: string, id: string, control: HTMLElement, hint = ""): HTMLElement {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "note" }, hint) : null,
  );
}

/**
 * The form that starts a chat: directory, prompt, model, permission mode, an optional system prompt.
 * @param started called with the chat once the gateway accepted it
 * @param options `interactive`: the gateway has interactive chats, so the form offers them
 */
export function startForm(
  started: (chat: StartedChat) => void,
  options: { interactive: boolean; cwd?: string },
) {
  const picker = directoryPicker("cwd");
  const prompt = h("textarea", {
    id: "prompt",
    name: "prompt",
    rows: 5,
    required: true,
    placeholder: "What should Claude do?",
  });
  const model = h(
    "select",
    { id: "model", name: "model" },
    h("option", { value: "" }, "Server default"),
    ...MODELS.map((name) => h("option", { value: name }, name)),
  );
  const mode = h(
    "select",
    { id: "permission-mode", name: "permission_mode" },
    h("option", { value: "" }, "Server default"),
    ...PERMISSION_MODES.map((name) => h("option", { value: name }, name)),
  );
  const system = h("textarea", { id: "system-prompt", name: "append_system_prompt", rows: 2 });
  const grace = h("input", {
    id: "grace",
    name: "detach_grace_s",
    type: "number",
    min: 0,
    value: DEFAULT_GRACE_S,
  });
  const interactive = h("input", { id: "interactive", type: "checkbox" });
  const problem = h("p", { class: "problem", role: "alert" });
  const submit = h("button", { type: "submit" }, "Start chat");
  const form = h(
    "form",
    { class: "start", "aria-label": "Start a chat" },
    h("div", { class: "field" }, h("label", { for: "cwd" }, "Working directory"), picker.element),
    field("Prompt", "prompt", prompt, "Ctrl+Enter starts the chat."),
    h(
      "div",
      { class: "grid" },
      field("Model", "model", model),
      field("Permission mode", "permission-mode", mode),
    ),
    field("System prompt (optional, added to Claude Code's own)", "system-prompt", system),
    field(
      "Keep running after this page is closed (seconds)",
      "grace",
      grace,
      "A reload or a lost connection within this time loses nothing.",
    ),
    options.interactive
      ? h(
        "div",
        { class: "field check" },
        interactive,
        h("label", { for: "interactive" }, "Interactive: ask me before tools run, allow follow-ups"),
      )
      : null,
    problem,
    h("div", { class: "row" }, submit),
  );
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    submit.disabled = true;
    const body: Record<string, unknown> = {
      prompt: prompt.value,
      cwd: picker.input.value,
      include_partial_messages: true,
      detach_grace_s: Number(grace.value || 0),
    };
    if (model.value) body.model = model.value;
    if (mode.value) body.permission_mode = mode.value;
    if (system.value.trim()) body.append_system_prompt = system.value;
    if (options.interactive && interactive.checked) {
      Object.assign(body, { interactive: true, permission_prompt: "client" });
    }
    try {
      const chat = await startChat(body);
      rememberPrompt(chat.processId, prompt.value);
      started(chat);
    } catch (error) {
      problem.textContent = error instanceof ApiError ? error.message : String(error);
    } finally {
      submit.disabled = false;
    }
  });
  picker.show(options.cwd);
  return form;
}
