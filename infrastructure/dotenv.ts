/**
 * Parses `.env` text: `KEY=value` lines, `#` comments, optional `export `, single- or double-quoted values
 * (double quotes understand `\n`, `\"` and `\\`), inline ` #` comments after unquoted values.
 * @throws {Error} naming the line that is not `KEY=value`
 */
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`.env line ${index + 1} is not KEY=value: ${JSON.stringify(raw)}`);
    const [, key, rest] = match;
    result[key] = parseValue(rest);
  });
  return result;
}

function parseValue(rest: string): string {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    // The value ends at the first unescaped closing quote; anything after it (a comment) is not part of it.
    let end = 1;
    while (end < rest.length && rest[end] !== quote) end += quote === '"' && rest[end] === "\\" ? 2 : 1;
    const body = rest.slice(1, end);
    return quote === "'" ? body : body.replace(/\\(.)/g, (_, char: string) => char === "n" ? "\n" : char);
  }
  return rest.replace(/\s+#.*$/, "").trim();
}
