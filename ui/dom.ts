/// <reference lib="dom" />

/** Attributes and properties {@link h} sets: `class`, `aria-*`, `data-*` and the like as attributes. */
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** What may be a child of an element: nodes and text; null and false are skipped. */
export type Child = Node | string | null | undefined | false;

/**
 * Creates an element: `h("button", { type: "button", onclick: stop }, "Stop")`. Text children become text
 * nodes, never HTML, so nothing a chat prints can inject markup here.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  element.append(
    ...children.filter((child): child is Node | string =>
      child !== null && child !== undefined && child !== false
    ),
  );
  return element;
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(
    ...children.filter((child): child is Node | string =>
      child !== null && child !== undefined && child !== false
    ),
  );
}

/** Text shortened to `max` characters, with the number left out said. */
export function clip(text: string, max: number): { shown: string; rest: number } {
  return text.length <= max
    ? { shown: text, rest: 0 }
    : { shown: text.slice(0, max), rest: text.length - max };
}

/** A duration in milliseconds as people read it: `850 ms`, `12.3 s`, `4 min 5 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A time as the reader's locale shows it, or "" for none. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
