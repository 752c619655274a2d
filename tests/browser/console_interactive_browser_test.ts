/**
 * The console's controls of interactive chats (permission requests, follow-ups), which this
 * gateway does not run yet: the real console page and bundle, served next to a stub of those routes in the
 * shape the issue gives, in headless Chromium.
 *
 * Run: `deno test --allow-all tests/browser/console_interactive_browser_test.ts`
 */

import assert from "node:assert/strict";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { CHROMIUM, chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { registerConsole } from "../../interface/console.ts";
import { waitFor } from "../../testkit/wait_for.ts";
import { assertClean, openConsole } from "./console_page.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));
if (!haveChromium && !inCi) console.warn(`SKIPPED interactive console test: no ${CHROMIUM}.`);

const PROCESS = "3f0c2a52-8d0e-4c49-a7f4-5b1b3c1d9e20";
const encoder = new TextEncoder();

/** One SSE event as the gateway frames it. */
const frame = (id: number, event: string, data: unknown) =>
  encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/** A stub gateway: one interactive chat that asks to use Write and waits for the answer. */
function stubGateway() {
  const answers: unknown[] = [];
  const followUps: unknown[] = [];
  let answered: (() => void) | null = null;
  const app = new OpenAPIHono();
  const open: MiddlewareHandler = (_c, next) => next();
  registerConsole(app, open);
  app.get(
    "/openapi.json",
    (c) => c.json({ components: { schemas: { ChatRequest: { properties: { interactive: {} } } } } }),
  );
  app.get("/processes", (c) =>
    c.json({
      processes: [{
        process_id: PROCESS,
        cwd: "/home/user/project",
        model: null,
        started_at: "2024-01-01T12:00:00Z",
        session_id: null,
        status: "running",
        watchers: 1,
        last_event_id: 2,
        interactive: true,
      }],
      count: 1,
    }));
  app.get(`/chat/${PROCESS}/events`, () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          frame(1, "message", { type: "system", subtype: "init", session_id: "s-1", model: "m" }),
        );
        controller.enqueue(frame(2, "permission_request", {
          request_id: "req-1",
          tool_name: "Write",
          input: { file_path: "/home/user/project/a.txt", content: "hello" },
          description: "Write a.txt",
          expires_at: new Date(Date.now() + 300_000).toISOString(),
          requires_user_interaction: false,
        }));
        answered = () => {
          controller.enqueue(
            frame(3, "permission_resolved", { request_id: "req-1", behavior: "allow", by: "client" }),
          );
          controller.enqueue(frame(4, "message", {
            type: "assistant",
            message: { id: "m1", content: [{ type: "text", text: "Written." }] },
          }));
        };
      },
    });
    return new Response(body, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" },
    });
  });
  app.post(`/chat/${PROCESS}/permissions/:request`, async (c) => {
    answers.push({ request: c.req.param("request"), ...(await c.req.json()) });
    answered?.();
    return c.json({ status: "resolved" });
  });
  app.post(`/chat/${PROCESS}/messages`, async (c) => {
    followUps.push(await c.req.json());
    return c.json({ message_id: "msg-1" }, 202);
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return { url: `http://127.0.0.1:${server.addr.port}`, server, answers, followUps };
}

Deno.test({
  name: "the console answers a permission request and sends a follow-up on an interactive chat",
  ignore: !haveChromium && !inCi,
  fn: async () => {
    const stub = stubGateway();
    const browser = await launchChromium();
    try {
      const opened = await openConsole(browser, stub.url, { hash: `#/chat/${PROCESS}` });
      const { page } = opened;
      const card = page.locator(".permission");
      await card.getByRole("heading", { name: "May Claude use Write?" }).waitFor();
      assert.match(await card.locator("pre").innerText(), /"file_path": "\/home\/user\/project\/a\.txt"/);
      await card.getByRole("button", { name: "Allow" }).click();
      await card.getByText("Allowed (client).").waitFor();
      assert.deepEqual(stub.answers, [{ request: "req-1", behavior: "allow" }]);
      await page.locator(".assistant-text", { hasText: "Written." }).waitFor();
      await page.locator("#followup").fill("also add a test");
      await page.getByRole("button", { name: "Send" }).click();
      await waitFor(() => stub.followUps.length === 1, "the follow-up to arrive", 10_000);
      assert.deepEqual(stub.followUps, [{ prompt: "also add a test" }]);
      await page.goto(`${stub.url}/ui#/`);
      await page.getByLabel("Interactive: ask me before tools run, allow follow-ups").waitFor();
      assertClean(opened, stub.url);
      await opened.context.close();
    } finally {
      await browser.close();
      await stub.server.shutdown();
    }
  },
});
