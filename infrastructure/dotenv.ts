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
  if (rest.startsWith('"')) {
    const end = rest.lastIndexOf('"');
    const body = end > 0 ? rest.slice(1, end) : rest.slice(1);
    return body.replace(/\\(.)/g, (_, char: string) => char === "n" ? "\n" : char);
  }
  if (rest.startsWith("'")) {
    const end = rest.lastIndexOf("'");
    return end > 0 ? rest.slice(1, end) : rest.slice(1);
  }
  return rest.replace(/\s+#.*$/, "").trim();
}
