/// <reference lib="dom" />
import DOMPurify from "dompurify";
import { marked } from "marked";

/**
 * Markdown as sanitised HTML in a fresh element: marked renders it, DOMPurify drops every script, event
 * handler and unsafe URL, so what the model writes cannot run in the console.
 */
export function markdownElement(text: string, className = "markdown"): HTMLElement {
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  const element = document.createElement("div");
  element.className = className;
  element.append(DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true }));
  // Links open elsewhere and tell the target nothing.
  for (const link of element.querySelectorAll("a[href]")) {
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer");
  }
  return element;
}
