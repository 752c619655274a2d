import { type Metrics, RUN_TIME_BUCKETS_S } from "../application/metrics.ts";
import { SPARE_RSS_ESTIMATE_BYTES, type WarmPoolStats } from "../application/warm_pool_stats.ts";

/** The slot gauges `renderMetrics` shows; `ChatSlots` is one. */
export interface SlotGauges {
  readonly running: number;
  readonly queued: number;
}

/**
 * Renders the gateway's counters in the Prometheus text exposition format.
 * @param metrics the chat counters
 * @param slots the running and queued chats
 * @param warm the warm pool's figures, when it is on
 */
export function renderMetrics(metrics: Metrics, slots: SlotGauges, warm?: WarmPoolStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric("claudecode2api_chats_running", "gauge", "Chats whose CLI is running.", [["", slots.running]]);
  metric("claudecode2api_chats_queued", "gauge", "Chats waiting for a slot.", [["", slots.queued]]);
  metric("claudecode2api_chats_started_total", "counter", "CLI processes started.", [["", metrics.started]]);
  metric(
    "claudecode2api_chats_finished_total",
    "counter",
    "Chats finished, by outcome.",
    Object.entries(metrics.finished).map(([outcome, count]) => [`{outcome="${outcome}"}`, count]),
  );
  metric("claudecode2api_lines_streamed_total", "counter", "CLI stdout lines streamed.", [[
    "",
    metrics.lines,
  ]]);
  metric("claudecode2api_bytes_streamed_total", "counter", "CLI stdout bytes streamed.", [[
    "",
    metrics.bytes,
  ]]);
  metric("claudecode2api_cost_usd_total", "counter", "Sum of total_cost_usd from the CLI's result lines.", [[
    "",
    metrics.costUsd,
  ]]);
  metric(
    "claudecode2api_send_timeouts_total",
    "counter",
    "Stream clients cut off for taking nothing for SEND_TIMEOUT_S while events waited.",
    [["", metrics.sendTimeouts]],
  );
  metric(
    "claudecode2api_permission_requests_total",
    "counter",
    "Permission requests asked of clients, by outcome.",
    Object.entries(metrics.permissions).map(([outcome, count]) => [`{outcome="${outcome}"}`, count]),
  );
  if (warm) renderWarmPool(warm, metric);
  const { runTime } = metrics;
  lines.push(
    "# HELP claudecode2api_chat_duration_seconds Wall time of finished chats.",
    "# TYPE claudecode2api_chat_duration_seconds histogram",
  );
  RUN_TIME_BUCKETS_S.forEach((bound, index) => {
    lines.push(`claudecode2api_chat_duration_seconds_bucket{le="${bound}"} ${runTime.buckets[index]}`);
  });
  lines.push(
    `claudecode2api_chat_duration_seconds_bucket{le="+Inf"} ${runTime.count}`,
    `claudecode2api_chat_duration_seconds_sum ${runTime.sumS}`,
    `claudecode2api_chat_duration_seconds_count ${runTime.count}`,
  );
  return lines.join("\n") + "\n";
}

type MetricWriter = (name: string, type: string, help: string, samples: [string, number][]) => void;

function renderWarmPool(warm: WarmPoolStats, metric: MetricWriter): void {
  metric("claudecode2api_warm_spares", "gauge", "Spare CLIs started and waiting for a chat.", [[
    "",
    warm.spares,
  ]]);
  metric("claudecode2api_warm_spares_max", "gauge", "The most spares kept (WARM_POOL_MAX).", [[
    "",
    warm.max,
  ]]);
  metric(
    "claudecode2api_warm_memory_estimate_bytes",
    "gauge",
    "The spares' memory: their count times the measured RSS of one idle CLI.",
    [["", warm.spares * SPARE_RSS_ESTIMATE_BYTES]],
  );
  metric(
    "claudecode2api_warm_starts_total",
    "counter",
    "Chats that could be served by a spare, by how they started (warm: a spare; cold: none waited).",
    [['{start="warm"}', warm.hits], ['{start="cold"}', warm.misses]],
  );
  metric(
    "claudecode2api_warm_spares_ended_total",
    "counter",
    "Spares that ended unused: retired (idle, room, a replaced directory) or died while they waited.",
    [['{reason="retired"}', warm.retired], ['{reason="died"}', warm.died]],
  );
}
