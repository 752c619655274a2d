/** The name of the Basic Auth security scheme in the document. */
export const SECURITY_SCHEME = "basicAuth";

/** The document's top level: info, the default security requirement and tags. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "claudecode2api",
    version: "1.0.0",
    description: "An HTTP gateway to the Claude Code CLI: `POST /chat` runs `claude -p` and streams its " +
      "stream-json output as Server-Sent Events, verbatim. Every endpoint except `/health` needs Basic Auth.",
    license: { name: "MIT", identifier: "MIT" },
  },
  security: [{ [SECURITY_SCHEME]: [] }],
  tags: [
    { name: "chat", description: "Running and stopping Claude Code chats." },
    { name: "sessions", description: "The sessions the CLI saved, and the directories to start chats in." },
    { name: "service", description: "Health and metrics." },
  ],
};

/** The Basic Auth scheme every route but `/health` uses. */
export const BASIC_AUTH_SCHEME = {
  type: "http",
  scheme: "basic",
  description: "AUTH_USER and AUTH_PASSWORD. Every endpoint but `/health` needs it.",
} as const;
