// Streams one chat from claudecode2api with fetch and eventsource-parser (npm install eventsource-parser@3).
// The browser's EventSource cannot POST, so a fetch-based parser reads the stream; this works in Node 18+,
// Deno and browsers. Ctrl-C cancels the chat with DELETE /chat/{X-Process-ID}, then the stream ends with `done`.
//
// Usage: node chat.mjs PROMPT CWD [SESSION_ID]
// Environment: GATEWAY_URL (default http://localhost:9876), GATEWAY_AUTH (default admin:password).
import process from "node:process";
import { EventSourceParserStream } from "eventsource-parser/stream";

const url = process.env.GATEWAY_URL ?? "http://localhost:9876";
const headers = { Authorization: `Basic ${btoa(process.env.GATEWAY_AUTH ?? "admin:password")}` };
const [prompt, cwd, sessionId] = process.argv.slice(2);

const response = await fetch(`${url}/chat`, {
  method: "POST",
  headers: { ...headers, "Content-Type": "application/json" },
  body: JSON.stringify({ prompt, cwd, ...(sessionId ? { session_id: sessionId } : {}) }),
});
if (!response.ok) {
  const { error } = await response.json();
  console.error(`${response.status} ${error.code}: ${error.message}`);
  process.exit(1);
}

const processId = response.headers.get("X-Process-ID");
console.error("process", processId);
process.once("SIGINT", () => fetch(`${url}/chat/${processId}`, { method: "DELETE", headers }));

let failed = false;
const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
for await (const { event, data } of events) {
  if (event === "message") {
    const line = JSON.parse(data); // one stream-json line of the CLI, as printed
    if (line.subtype === "init") console.log("session", line.session_id);
    console.log(line.type, data.length, "chars");
  } else if (event === "error") {
    failed = true;
    console.error("error:", JSON.parse(data).message);
  } else if (event === "done") {
    console.log("done", data);
  }
}
process.exit(failed ? 1 : 0);
