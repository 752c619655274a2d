/** The name of the Basic Auth security scheme in the document. */
export const SECURITY_SCHEME = "basicAuth";
/** The names of the API key schemes: `Authorization: Bearer <key>` (OpenAI's clients), `x-api-key` (Anthropic's). */
export const API_KEY_SCHEMES = { bearer: "bearerAuth", header: "apiKeyHeader" } as const;

/** The document's top level: info, the default security requirement and tags. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "claudecode2api",
    version: "1.0.0",
    description: "An HTTP gateway to the Claude Code CLI: `POST /chat` runs `claude -p` and streams its " +
      "stream-json output as Server-Sent Events, verbatim; `/v1/chat/completions` and `/v1/messages` speak " +
      "the OpenAI and Anthropic APIs. Every endpoint except `/health` needs Basic Auth or an API key (API_KEYS).",
    license: { name: "MIT", identifier: "MIT" },
  },
  security: [SECURITY_SCHEME, API_KEY_SCHEMES.bearer, API_KEY_SCHEMES.header].map((name) => ({
    [name]: [] as string[],
  })),
  tags: [
    { name: "chat", description: "Running and stopping Claude Code chats." },
    { name: "sessions", description: "The sessions the CLI saved, and the directories to start chats in." },
    { name: "service", description: "Health and metrics." },
    { name: "openai", description: "The OpenAI-compatible door (Chat Completions, models)." },
    { name: "anthropic", description: "The Anthropic-compatible door (Messages)." },
  ],
};

/** The Basic Auth scheme every route but `/health` uses. */
export const BASIC_AUTH_SCHEME = {
  type: "http",
  scheme: "basic",
  description: "AUTH_USER and AUTH_PASSWORD. Every endpoint but `/health` needs it.",
} as const;

/** API keys as `Authorization: Bearer <key>`, as OpenAI's clients send them. */
export const BEARER_AUTH_SCHEME = {
  type: "http",
  scheme: "bearer",
  description: "A key of API_KEYS (or API_KEYS_FILE), as OpenAI's client libraries send it.",
} as const;

/** API keys as `x-api-key: <key>`, as Anthropic's clients send them. */
export const API_KEY_HEADER_SCHEME = {
  type: "apiKey",
  in: "header",
  name: "x-api-key",
  description: "A key of API_KEYS (or API_KEYS_FILE), as Anthropic's client libraries send it.",
} as const;
