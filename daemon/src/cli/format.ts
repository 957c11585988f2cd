// Terminal rendering of runs for `trainyard runs` and `trainyard show`.
import type { MetricValue, RunMetrics } from "@trainyard/db";
import type { RunSummary } from "../runs/run-summary.ts";

export function formatRunLine(r: RunSummary): string {
  const progress = r.epochs ? `epoch ${r.epoch}/${r.epochs}` : "";
  const best = r.best ? `${r.best.name}=${r.best.value.toFixed(4)}` : "";
  const where = r.queue ? `${r.queue.position ? `#${r.queue.position} ` : ""}${r.queue.reason}` : best;
  return [r.id, r.name.padEnd(16), r.owner.padEnd(8), r.status.padEnd(11), (r.phase ?? "").padEnd(10), progress.padEnd(13), where].join("  ").trimEnd();
}

/** The headline metrics `show` prints: the task's main keys and the loss, at best and at test. */
const HEADLINE = /^(val|test)\/(loss|auc_macro|auc_micro|map|map50_95|map50|f1_macro|accuracy|precision|recall|findings_auc)$/;

const fmtValue = (v: MetricValue) => (typeof v === "number" ? v.toFixed(4) : v);

export function formatRunDetail(
  r: RunSummary & { stderrTail?: string | null; checkpoints?: { name: string; epoch: number; monitorName: string | null; monitorValue: number | null }[] },
  metrics?: RunMetrics,
): string {
  const lines = [
    `run        ${r.id} (${r.name})`,
    `status     ${r.status}${r.error ? `: ${r.error}` : ""}`,
    ...(r.queue ? [`queue      ${r.queue.position ? `#${r.queue.position}: ` : ""}${r.queue.reason}`] : []),
    ...(r.executor !== "local" || r.job ? [`executor   ${r.executor}, ${r.nodes} node${r.nodes === 1 ? "" : "s"}${r.job?.id ? `, job ${r.job.id}` : ""}${r.job?.state ? ` ${r.job.state}` : ""}${r.job?.pendingReason ? ` (${r.job.pendingReason})` : ""}${r.job?.nodeList ? ` on ${r.job.nodeList}` : ""}`] : []),
    `owner      ${r.owner}, attempt ${r.attempt}${r.restarts ? ` (${r.restarts}/${r.maxRestarts} automatic restarts)` : ""}${r.slots.length ? `, slots ${r.slots.join(", ")}` : ""}`,
    `dataset    ${r.dataset}, classes: ${r.classes.join(", ")}`,
    `progress   phase ${r.phase ?? "-"}, epoch ${r.epoch}/${r.epochs}, step ${r.step}/${r.steps}`,
    `best       ${r.best ? `${r.best.name} = ${r.best.value.toFixed(4)} (epoch ${r.best.epoch})` : "-"}`,
  ];
  for (const c of r.checkpoints ?? []) lines.push(`checkpoint ${c.name} (epoch ${c.epoch}${c.monitorName ? `, ${c.monitorName}=${c.monitorValue?.toFixed(4)}` : ""})`);
  const headline = (values: Record<string, MetricValue>) =>
    Object.entries(values).filter(([k]) => HEADLINE.test(k)).map(([k, v]) => `${k}=${fmtValue(v)}`).join("  ");
  if (metrics?.best && headline(metrics.best.values)) lines.push(`at best    ${headline(metrics.best.values)} (epoch ${metrics.best.epoch})`);
  if (metrics && headline(metrics.test)) lines.push(`test       ${headline(metrics.test)}`);
  if (r.stderrTail) lines.push("", "trainer stderr (tail):", r.stderrTail.trimEnd().split("\n").slice(-25).join("\n"));
  return lines.join("\n");
}
