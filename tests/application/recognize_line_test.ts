import assert from "node:assert/strict";
import { MAX_PARSED_LINE_BYTES, recognizeLine } from "../../application/recognize_line.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const kindOf = (text: string) => recognizeLine(bytes(text))?.kind ?? null;

Deno.test("recognizeLine() recognises a result line whose type is its first key", () => {
  const recognized = recognizeLine(bytes('{"type":"result","subtype":"success","total_cost_usd":0.5}'));
  assert.equal(recognized?.kind, "result");
  assert.equal(recognized?.fields.total_cost_usd, 0.5);
});

Deno.test("recognizeLine() recognises a result line whose type comes later, as CLI 2.1.328 prints it", () => {
  const line = '{"duration_api_ms":24,"stop_reason":"end_turn","total_cost_usd":0.049104,' +
    '"usage":{"input_tokens":12271},"is_error":false,"subtype":"success","type":"result","uuid":"u-1"}';
  const recognized = recognizeLine(bytes(line));
  assert.equal(recognized?.kind, "result");
  assert.equal(recognized?.fields.total_cost_usd, 0.049104);
});

Deno.test("recognizeLine() recognises the init line in either key order", () => {
  for (
    const line of [
      '{"type":"system","subtype":"init","session_id":"s-1","tools":["Bash"]}',
      '{"cwd":"/w","session_id":"s-1","subtype":"init","tools":["Bash"],"type":"system"}',
      '{"subtype":"init","type":"system","session_id":"s-1"}',
    ]
  ) {
    const recognized = recognizeLine(bytes(line));
    assert.equal(recognized?.kind, "init", line);
    assert.equal(recognized?.fields.session_id, "s-1", line);
  }
});

/** Lines that are neither init nor result, each with why. */
const OTHER_LINES: [string, string][] = [
  ['{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}', "an assistant line"],
  ['{"message":{"role":"user"},"type":"user"}', "a user line, type last"],
  ['{"type":"system","subtype":"compact_boundary"}', "another system line"],
  ['{"subtype":"status","type":"system"}', "another system line, type last"],
  ["", "an empty line"],
  ["not json", "not JSON"],
  // A nested object with the marker: parsed, but its top level decides.
  ['{"type":"user","message":{"content":[{"type":"result","subtype":"init"}]}}', "a nested result"],
  ['{"message":{"type":"result"},"type":"assistant"}', "a nested result, type last"],
  // Inside a JSON string the quotes are escaped, so the marker is not there at all.
  ['{"type":"assistant","text":"say \\"type\\":\\"result\\""}', "the marker inside a string"],
  ['{"text":"\\"type\\":\\"result\\"","type":"assistant"}', "the marker inside a string, type last"],
  ['{"content":[{"type":"tool_result"}],"type":"user"}', "a tool_result, which is not a result"],
  ['["type","result"] "type":"result"', "the marker in no JSON object"],
  ['{"type":"result"', "a cut-off result line"],
  ['[{"type":"result"}]', "a result in an array"],
];

Deno.test("recognizeLine() ignores every other line, judging by the top level only", () => {
  for (const [line, what] of OTHER_LINES) assert.equal(kindOf(line), null, what);
});

Deno.test("recognizeLine() does not parse a line over the size cap", () => {
  const pad = "x".repeat(MAX_PARSED_LINE_BYTES);
  assert.equal(kindOf(`{"pad":"${pad}","type":"result","total_cost_usd":1}`), null);
  assert.equal(kindOf(`{"type":"result","total_cost_usd":1,"pad":"${pad}"}`), null);
  assert.equal(kindOf(`{"type":"result","total_cost_usd":1,"pad":"${"x".repeat(1000)}"}`), "result");
});

Deno.test("recognizeLine() finds the marker at the very start and the very end of a line", () => {
  assert.equal(kindOf('{"subtype":"init","type":"system"}'), "init");
  assert.equal(kindOf('{"a":1,"type":"result"}'), "result");
  assert.equal(kindOf('{"a":"typ","b":"type","type":"result"}'), "result");
});
