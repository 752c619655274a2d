/// <reference lib="dom" />
import { api, ApiError, type DirectoryList } from "./api.ts";
import { h } from "./dom.ts";

/**
 * A working-directory field with a browser of the subdirectories the gateway allows (`GET /directories`):
 * the path can be typed, or picked by walking down (and up) the list.
 * @param id the input's id (its label points at it)
 * @param onChange called with each directory picked
 */
export function directoryPicker(id: string, onChange: (path: string) => void = () => {}) {
  const input = h("input", {
    id,
    name: "cwd",
    type: "text",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "/path/to/project",
  });
  const list = h("ul", { class: "dirs", "aria-label": "Subdirectories" });
  const where = h("p", { class: "note", "aria-live": "polite" });
  const up = h("button", { type: "button", class: "secondary" }, "Up");
  const element = h("div", { class: "picker" }, h("div", { class: "row" }, input, up), where, list);
  let parent: string | null = null;

  async function show(path?: string): Promise<void> {
    try {
      const listed = await api<DirectoryList>(
        `directories${path ? `?path=${encodeURIComponent(path)}` : ""}`,
      );
      parent = listed.parent;
      up.disabled = parent === null;
      if (listed.path) {
        input.value = listed.path;
        onChange(listed.path);
      }
      where.textContent = listed.directories.length
        ? `${listed.directories.length} subdirectories`
        : "No subdirectories";
      list.replaceChildren(
        ...listed.directories.map((dir) =>
          h(
            "li",
            {},
            h("button", {
              type: "button",
              class: "dir",
              "data-path": dir.path,
              onclick: () => show(dir.path),
            }, `${dir.name}/`),
          )
        ),
      );
    } catch (error) {
      where.textContent = error instanceof ApiError ? error.message : String(error);
    }
  }

  up.addEventListener("click", () => parent && show(parent));
  input.addEventListener("change", () => input.value.startsWith("/") && show(input.value));
  return {
    element,
    input,
    /** Lists `path` (or the allowed roots) and makes it the value. */
    show,
  };
}
