import assert from "node:assert/strict";
import { parseDotenv } from "../../infrastructure/dotenv.ts";

Deno.test("parseDotenv() reads KEY=value lines", () => {
  assert.deepEqual(parseDotenv("PORT=8080\nHOST=127.0.0.1\n"), { PORT: "8080", HOST: "127.0.0.1" });
});

Deno.test("parseDotenv() gives an empty object for empty text", () => {
  assert.deepEqual(parseDotenv(""), {});
  assert.deepEqual(parseDotenv("\n\n"), {});
});

Deno.test("parseDotenv() skips comment lines and blank lines", () => {
  const text = "# a comment\n\n   \n  # an indented comment\nPORT=1\n\t\nHOST=h\n#LOG_LEVEL=DEBUG\n";
  assert.deepEqual(parseDotenv(text), { PORT: "1", HOST: "h" });
});

Deno.test("parseDotenv() accepts an `export ` prefix", () => {
  assert.deepEqual(parseDotenv("export PORT=8080\nexport   HOST=h"), { PORT: "8080", HOST: "h" });
});

Deno.test("parseDotenv() allows spaces around = and around the line", () => {
  assert.deepEqual(parseDotenv("  PORT = 8080  \nHOST= h\nUSER =u"), { PORT: "8080", HOST: "h", USER: "u" });
});

Deno.test("parseDotenv() gives an empty string for KEY=", () => {
  assert.deepEqual(parseDotenv("DEFAULT_MODEL=\nA=''\nB=\"\""), { DEFAULT_MODEL: "", A: "", B: "" });
});

Deno.test("parseDotenv() keeps = signs inside the value", () => {
  assert.deepEqual(parseDotenv("TOKEN=abc==\nURL=http://h/?a=1&b=2"), {
    TOKEN: "abc==",
    URL: "http://h/?a=1&b=2",
  });
});

Deno.test("parseDotenv() keeps single-quoted values literally", () => {
  assert.deepEqual(parseDotenv(`A='  spaced # not a comment \\n $HOME "x" '`), {
    A: `  spaced # not a comment \\n $HOME "x" `,
  });
});

Deno.test('parseDotenv() reads double-quoted values with \\n, \\" and \\\\ escapes', () => {
  assert.deepEqual(parseDotenv(String.raw`A="line1\nline2"` + "\n" + String.raw`B="say \"hi\" \\ done"`), {
    A: "line1\nline2",
    B: 'say "hi" \\ done',
  });
});

Deno.test("parseDotenv() keeps spaces and # inside double quotes", () => {
  assert.deepEqual(parseDotenv('A="  a # b  "'), { A: "  a # b  " });
});

Deno.test("parseDotenv() drops an inline comment after an unquoted value", () => {
  assert.deepEqual(parseDotenv("PORT=8080 # the port\nHOST=h\t# tab before"), { PORT: "8080", HOST: "h" });
});

Deno.test("parseDotenv() keeps a # not preceded by whitespace in an unquoted value", () => {
  assert.deepEqual(parseDotenv("PASSWORD=abc#def\nCOLOR=#fff"), { PASSWORD: "abc#def", COLOR: "#fff" });
});

Deno.test("parseDotenv() drops an inline comment after a quoted value", () => {
  assert.deepEqual(parseDotenv(`A="quoted" # comment\nB='single' # comment`), { A: "quoted", B: "single" });
});

Deno.test("parseDotenv() ends a quoted value at its closing quote even when the comment holds a quote", () => {
  assert.deepEqual(parseDotenv(`AUTH_PASSWORD='x' # don't share`), { AUTH_PASSWORD: "x" });
  assert.deepEqual(parseDotenv(`A="v" # say "hi"`), { A: "v" });
  assert.deepEqual(parseDotenv(`A="a \\"quoted\\" word" # c`), { A: 'a "quoted" word' });
});

Deno.test("parseDotenv() handles CRLF line endings", () => {
  const text = "# comment\r\nPORT=8080\r\n\r\nHOST=\"h\"\r\nexport A='a'\r\nB=b # c\r\n";
  assert.deepEqual(parseDotenv(text), { PORT: "8080", HOST: "h", A: "a", B: "b" });
});

Deno.test("parseDotenv() lets a later line override an earlier one", () => {
  assert.deepEqual(parseDotenv("PORT=1\nPORT=2"), { PORT: "2" });
});

Deno.test("parseDotenv() reads a last line without a newline", () => {
  assert.deepEqual(parseDotenv("A=1\nB=2"), { A: "1", B: "2" });
});

Deno.test("parseDotenv() accepts underscores and digits in keys", () => {
  assert.deepEqual(parseDotenv("_A1_B2=x\nlower_case=y"), { _A1_B2: "x", lower_case: "y" });
});

Deno.test("parseDotenv() keeps unicode values", () => {
  assert.deepEqual(parseDotenv('NAME=héllo 🚀\nQ="日本語"'), { NAME: "héllo 🚀", Q: "日本語" });
});

Deno.test("parseDotenv() rejects a line without = and names its line number", () => {
  assert.throws(() => parseDotenv("A=1\n# c\n\nnot a pair\n"), (error: Error) => {
    assert.match(error.message, /\bline 4\b/);
    assert.ok(error.message.includes('"not a pair"'), error.message);
    return true;
  });
});

Deno.test("parseDotenv() rejects a key that starts with a digit or has a dash", () => {
  assert.throws(() => parseDotenv("1A=x"), /line 1\b/);
  assert.throws(() => parseDotenv("OK=1\nMY-KEY=x"), /line 2\b/);
  assert.throws(() => parseDotenv("=x"), /line 1\b/);
});

Deno.test("parseDotenv() counts lines the same with CRLF endings", () => {
  assert.throws(() => parseDotenv("A=1\r\nB=2\r\n\r\noops\r\n"), /line 4\b/);
});

Deno.test("parseDotenv() keeps the error message on one line", () => {
  assert.throws(() => parseDotenv("A=1\r\nbad line\r\n"), (error: Error) => {
    assert.equal(/[\r\n]/.test(error.message), false, error.message);
    assert.match(error.message, /line 2\b/);
    return true;
  });
});
