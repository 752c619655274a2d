/**
 * The web console as the browser tests drive it: a page logged in to a gateway, the form filled as a person
 * fills it, and the checks every test shares (no request to another host, no script error, axe-core).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "npm:playwright-core@1.65.1";
import { SERVER_PASSWORD, SERVER_USER } from "../../testkit/server_process.ts";

/** Where screenshots go (gitignored). */
export const OUTPUT = new URL("../../test-output/", import.meta.url).pathname;

/** One console tab and what it did. */
export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested. */
  requests: string[];
  /** Script errors and console errors. */
  problems: string[];
}

/**
 * Opens the console in a new context logged in with the gateway's credentials.
 * @param options `width` of the viewport (default 1280); `dark`: prefers a dark colour scheme; `bypassCsp`:
 *   lets the test inject axe-core (the console's own CSP forbids any script not served by the gateway)
 */
export async function openConsole(
  browser: Browser,
  url: string,
  options: { width?: number; dark?: boolean; bypassCsp?: boolean; hash?: string } = {},
): Promise<ConsolePage> {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 812 : 900 },
    httpCredentials: { username: SERVER_USER, password: SERVER_PASSWORD },
    colorScheme: options.dark ? "dark" : "light",
    bypassCSP: options.bypassCsp ?? false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const opened: ConsolePage = { page, context, requests: [], problems: [] };
  page.on("request", (request) => opened.requests.push(request.url()));
  page.on("pageerror", (error) => opened.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") opened.problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${url}/ui${options.hash ?? ""}`);
  return opened;
}

/** Every request went to the gateway itself, and no script failed. */
export function assertClean(opened: ConsolePage, serverUrl: string): void {
  const origin = new URL(serverUrl).origin;
  const elsewhere = opened.requests.filter((url) =>
    !/^(data|blob):/.test(url) && new URL(url).origin !== origin
  );
  assert.deepEqual(elsewhere, [], "requests to other hosts");
  // A stopped chat's stream ends with a refused reconnect in some timings: Chromium logs those as errors.
  const problems = opened.problems.filter((problem) => !/net::ERR_|Failed to load resource/.test(problem));
  assert.deepEqual(problems, [], "script errors");
}

/** Picks `dir` (a subdirectory of the listed one) in the directory picker whose input has `inputId`. */
export async function pickDirectory(page: Page, inputId: string, dir: string): Promise<void> {
  // By keyboard, as a person without a mouse picks it.
  const button = page.locator(`.picker:has(#${inputId}) button.dir[data-path="${dir}"]`);
  await button.focus();
  await page.keyboard.press("Enter");
  const input = page.locator(`#${inputId}`);
  const deadline = Date.now() + 10_000;
  while (await input.inputValue() !== dir) {
    if (Date.now() > deadline) throw new Error(`the picker did not pick ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a chat from the form at `#/` (Ctrl+Enter in the prompt) and waits for its live view; returns its id. */
export async function startChat(page: Page, cwd: string, prompt: string): Promise<string> {
  await page.goto(page.url().replace(/#.*$/, "#/"));
  await pickDirectory(page, "cwd", cwd);
  await page.locator("#prompt").fill(prompt);
  await page.locator("#prompt").press("Control+Enter");
  const live = page.locator("article.live");
  await live.waitFor();
  return (await live.getAttribute("data-process-id"))!;
}

/** Waits for the chat shown to end (its `done` note), and returns that note's text. */
export async function waitDone(page: Page, timeoutMs = 30_000): Promise<string> {
  const done = page.locator("article.live .note.done");
  await done.waitFor({ timeout: timeoutMs });
  return await done.innerText();
}

/** Serious and critical accessibility violations axe-core finds on the page, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = (await import("axe-core/axe.min.js", { with: { type: "text" } })).default;
  await page.evaluate(source);
  const found: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] = await page
    .evaluate(
      // deno-lint-ignore no-explicit-any
      () => (globalThis as any).axe.run().then((result: any) => result.violations),
    );
  return found.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${
        violation.nodes.map((node) => node.target.join(" ")).join(", ")
      }`
    );
}
