import { type DoorMetrics, DOORS } from "../application/door_metrics.ts";

/**
 * Renders the compatible doors' counters in the Prometheus text format, each labelled with its `door`
 * (`openai`, `anthropic`); `renderMetrics` renders the rest.
 */
export function renderDoorMetrics(metrics: DoorMetrics): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${value}`);
  };
  const each = <T>(pick: (door: typeof DOORS[number]) => [string, T][]) =>
    DOORS.flatMap((door) =>
      pick(door).map(([labels, value]) => [`door="${door}"${labels}`, value] as [string, T])
    );
  metric(
    "claudecode2api_door_chats_total",
    "Chats started by a compatible door, by whether they stream.",
    each((door) => {
      const { chats } = metrics.of(door);
      return [[',stream="true"', chats.stream], [',stream="false"', chats.whole]];
    }),
  );
  metric(
    "claudecode2api_door_continuations_total",
    "Door chats by how they continued their conversation: resumed, transcript or new.",
    each((door) => Object.entries(metrics.of(door).continuations).map(([how, n]) => [`,how="${how}"`, n])),
  );
  metric(
    "claudecode2api_door_answers_total",
    "Door answers by how they ended.",
    each((door) =>
      Object.entries(metrics.of(door).finished).map(([outcome, n]) => [`,outcome="${outcome}"`, n])
    ),
  );
  metric(
    "claudecode2api_door_refused_total",
    "Door requests answered with an error status before a chat started.",
    each((door) => [...metrics.of(door).refused].map(([status, n]) => [`,status="${status}"`, n])),
  );
  metric(
    "claudecode2api_door_tokens_total",
    "Tokens of door chats, as the CLI's result lines report them.",
    each((door) => Object.entries(metrics.of(door).tokens).map(([kind, n]) => [`,kind="${kind}"`, n])),
  );
  return lines.join("\n") + "\n";
}
