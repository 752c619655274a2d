/** One turn of a conversation as a compatible door's client sends it: who said it, and its text. */
export interface ConversationTurn {
  role: "user" | "assistant";
  text: string;
}

/**
 * The key of a conversation so far: SHA-256 (hex) of its turns, each text trimmed (clients and chat UIs
 * differ in the white space they keep around an answer). System messages are not part of it: they are
 * given again with every request.
 * @param turns the user and assistant turns, in order
 */
export async function conversationKey(turns: ConversationTurn[]): Promise<string> {
  const canonical = JSON.stringify(turns.map((turn) => [turn.role, turn.text.trim()]));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The prompt of a new session for a conversation the gateway does not remember (after a restart, or a
 * client that went back): the earlier turns as a transcript, then the new message. The model gets the
 * context; the CLI's own state (files read, tools run) is what the working directory still holds.
 * @param turns the whole conversation; the last turn is the new user message
 */
export function transcriptPrompt(turns: ConversationTurn[]): string {
  const earlier = turns.slice(0, -1).map((turn) => `<${turn.role}>\n${turn.text.trim()}\n</${turn.role}>`);
  return [
    "This conversation began before this session. Its earlier turns, as the client sent them:",
    "",
    "<transcript>",
    ...earlier,
    "</transcript>",
    "",
    "Continue the conversation: answer the user's new message below.",
    "",
    turns.at(-1)!.text,
  ].join("\n");
}
