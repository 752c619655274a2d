/**
 * Joins byte arrays into one; a single part is returned as it is, without a copy.
 * @param parts the arrays, in order
 * @param total their summed length, when the caller already knows it
 */
export function concatBytes(parts: Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total ?? parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
