/// <reference lib="dom" />
import { api, ApiError } from "./api.ts";
import { clippedPre } from "./blocks.ts";
import { h } from "./dom.ts";
import type { PermissionResolvedData } from "../domain/chat_event.ts";

/** How the card words each way a request ended (the event's `outcome`). */
const OUTCOMES: Record<string, string> = {
  allowed: "Allowed",
  denied: "Denied",
  timeout: "Denied: nobody answered in time",
  cancelled: "Withdrawn",
};

/** Data of `event: permission_request` (interactive chats). */
export interface PermissionRequest {
  request_id: string;
  tool_name: string;
  input: unknown;
  description?: string;
  expires_at?: string;
  requires_user_interaction?: boolean;
}

/** An image to send with a follow-up, as the gateway takes it. */
interface ImageInput {
  media_type: string;
  data: string;
}

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

function readImage(file: File): Promise<ImageInput> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      resolve({ media_type: file.type, data: String(reader.result).replace(/^data:[^,]*,/, "") });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * The controls of an interactive chat: answer permission requests (allow / deny), send a follow-up (with
 * pasted or dropped images), interrupt the current turn. Hidden until the chat is known to be interactive.
 */
export class InteractiveControls {
  readonly permissions = h("div", { class: "permissions", "aria-live": "assertive" });
  readonly element: HTMLElement;
  readonly #cards = new Map<string, HTMLElement>();
  readonly #images: ImageInput[] = [];
  readonly #status = h("p", { class: "note", role: "status" });

  constructor(readonly processId: string) {
    const prompt = h("textarea", {
      id: "followup",
      rows: 2,
      placeholder: "Send a follow-up (paste or drop an image)",
    });
    const imagesNote = h("span", { class: "note" });
    const addImages = async (files: Iterable<File>) => {
      for (const file of files) if (IMAGE_TYPES.includes(file.type)) this.#images.push(await readImage(file));
      imagesNote.textContent = this.#images.length ? `${this.#images.length} image(s) attached` : "";
    };
    prompt.addEventListener("paste", (event) => addImages(event.clipboardData?.files ?? []));
    prompt.addEventListener("dragover", (event) => event.preventDefault());
    prompt.addEventListener("drop", (event) => {
      event.preventDefault();
      addImages(event.dataTransfer?.files ?? []);
    });
    const form = h(
      "form",
      { class: "followup" },
      h("label", { for: "followup" }, "Follow-up"),
      prompt,
      h("div", { class: "row" }, h("button", { type: "submit" }, "Send"), imagesNote),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const images = this.#images.splice(0);
      imagesNote.textContent = "";
      await this.#call(`chat/${processId}/messages`, {
        prompt: prompt.value,
        ...(images.length ? { images } : {}),
      });
      prompt.value = "";
    });
    const interrupt = h("button", { type: "button", class: "secondary" }, "Interrupt");
    interrupt.addEventListener("click", () => this.#call(`chat/${processId}/interrupt`, {}));
    this.element = h(
      "div",
      { class: "interactive", hidden: true },
      this.permissions,
      form,
      h("div", { class: "row" }, interrupt),
      this.#status,
    );
  }

  /** Shows the controls: the chat is interactive. */
  show(): void {
    this.element.hidden = false;
  }

  /** `event: permission_request`: a card with the tool, its input, and allow / deny. */
  request(data: PermissionRequest): void {
    this.show();
    if (this.#cards.has(data.request_id)) return;
    const answer = (behavior: "allow" | "deny") =>
      this.#call(`chat/${this.processId}/permissions/${encodeURIComponent(data.request_id)}`, { behavior });
    const card = h(
      "section",
      { class: "permission", "aria-label": `Permission request: ${data.tool_name}` },
      h("h3", {}, `May Claude use ${data.tool_name}?`),
      data.description ? h("p", {}, data.description) : null,
      clippedPre(JSON.stringify(data.input, null, 2) ?? ""),
      data.expires_at
        ? h(
          "p",
          { class: "note" },
          `Denied automatically at ${new Date(data.expires_at).toLocaleTimeString()}.`,
        )
        : null,
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", onclick: () => answer("allow") }, "Allow"),
        h("button", { type: "button", class: "danger", onclick: () => answer("deny") }, "Deny"),
      ),
    );
    this.#cards.set(data.request_id, card);
    this.permissions.append(card);
    card.querySelector("button")?.focus();
  }

  /** `event: permission_resolved`: the card says how it ended and takes no more answers. */
  resolved(data: PermissionResolvedData): void {
    const card = this.#cards.get(data.request_id);
    if (!card) return;
    for (const button of card.querySelectorAll("button")) button.remove();
    card.classList.add("resolved");
    card.append(h("p", { class: "note" }, `${OUTCOMES[data.outcome] ?? data.outcome} (${data.by}).`));
  }

  async #call(path: string, body: unknown): Promise<void> {
    try {
      await api(path, { method: "POST", body });
      this.#status.textContent = "";
    } catch (error) {
      this.#status.textContent = error instanceof ApiError ? error.message : String(error);
    }
  }
}
