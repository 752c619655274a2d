/**
 * The keys of an `API_KEYS_FILE`'s text: one a line, blank lines and `#` comments skipped; each of 16
 * characters or more (as `API_KEYS` requires).
 * @returns the keys, or what is wrong with the file
 */
export function parseApiKeys(text: string): string[] | string {
  const keys = text.split(/\r?\n/).map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
  if (keys.length === 0) return "holds no key";
  const short = keys.findIndex((key) => key.length < 16);
  if (short !== -1) return `key ${short + 1} is shorter than 16 characters`;
  return keys;
}
