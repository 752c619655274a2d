import { userMessageLine } from "../../application/cli_protocol.ts";
import type { ChatRequest } from "../../domain/chat_request.ts";
import type { CliRun, CliRunner } from "../../domain/cli_runner.ts";

/** Starts the CLI for `request` and writes its prompt as the first user message, as a chat does. */
export async function startWithPrompt(runner: CliRunner, request: ChatRequest): Promise<CliRun> {
  const run = await runner.start(request);
  run.send(userMessageLine({ text: request.prompt }));
  return run;
}

/** The prompt text of the stdin line the fake CLI's `echo` scenario prints (base64 of the whole line). */
export function echoedPrompt(base64Line: string): string {
  const bytes = Uint8Array.from(atob(base64Line), (char) => char.charCodeAt(0));
  const message = JSON.parse(new TextDecoder().decode(bytes));
  return message.message.content.at(-1).text;
}
