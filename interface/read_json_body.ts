import { HttpError } from "./error_response.ts";

/**
 * Reads a request body as JSON, refusing more than `maxBytes` (by `Content-Length` at once, else while
 * reading, so a chunked upload cannot exceed it either).
 * @throws {HttpError} 413 when too large, 400 when not JSON
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_json", "request body is not valid UTF-8");
  }
  if (text.trim() === "") {
    throw new HttpError(400, "invalid_json", "request body is empty; expected a JSON object");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, "invalid_json", `request body is not valid JSON: ${reason}`);
  }
}
