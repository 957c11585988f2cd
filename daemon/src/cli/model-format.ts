// Terminal rendering of registered models for `trainyard model ls` and `model show`.
import type { Client } from "./client.ts";

type ModelLine = Awaited<ReturnType<Client["models"]["list"]["query"]>>[number];
type ModelDetail = Awaited<ReturnType<Client["models"]["get"]["query"]>>;

const fmt = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : String(v));
const aliasList = (aliases: Record<string, number>) => Object.entries(aliases).map(([a, v]) => `${a}→${v}`).join(" ");

export function formatModelLine(m: ModelLine): string {
  const latest = m.latest ? `v${m.latest.version} (run ${m.latest.runId}${m.latest.monitor ? `, ${m.latest.monitor.name}=${fmt(m.latest.monitor.value)}` : ""})` : "-";
  return [m.name.padEnd(24), `${m.versions} version${m.versions === 1 ? "" : "s"}`.padEnd(11), m.owner.padEnd(8), `latest ${latest}`, aliasList(m.aliases)].join("  ").trimEnd();
}

export function formatModelDetail(m: ModelDetail): string {
  const lines = [`model      ${m.name}${m.description ? `: ${m.description}` : ""}`, `owner      ${m.owner}`, `aliases    ${aliasList(m.aliases) || "-"}`];
  for (const v of m.versions) {
    const tags = Object.entries(v.tags).map(([k, val]) => (val ? `${k}=${val}` : k)).join(", ");
    const test = Object.entries(v.metrics.test).filter(([k]) => /^test\/(auc_macro|map|map50_95|accuracy|c_index|loss)$/.test(k)).map(([k, val]) => `${k}=${fmt(val)}`).join("  ");
    lines.push(
      "",
      `version ${v.version}${v.aliases.length ? `  [${v.aliases.join(", ")}]` : ""}  ${v.task}, by ${v.owner}${v.description ? `: ${v.description}` : ""}`,
      `  run        ${v.lineage.run.id}${v.lineage.run.name ? ` (${v.lineage.run.name}, ${v.lineage.run.status})` : " (deleted)"}, checkpoint ${v.lineage.checkpoint.name} (epoch ${v.metrics.checkpoint.epoch})`,
      `  sha256     ${v.lineage.checkpoint.sha256}`,
      `  dataset    ${v.lineage.dataset.name}, fingerprint ${v.lineage.dataset.fingerprint ?? "unknown (re-imported or removed since the run)"}`,
      `  classes    ${v.classes.join(", ")}`,
      `  monitor    ${v.metrics.monitor ? `${v.metrics.monitor.name} = ${fmt(v.metrics.monitor.value)}` : "-"}`,
      ...(test ? [`  test       ${test}`] : []),
      ...(tags ? [`  tags       ${tags}`] : []),
      `  exports    ${Object.entries(v.exports).map(([f, e]) => `${f} ${e.built ? "built" : "on demand"}`).join(", ")}`,
    );
  }
  if (m.aliasHistory.length) {
    lines.push("", "alias history");
    for (const h of m.aliasHistory) lines.push(`  ${new Date(h.at).toISOString().replace("T", " ").slice(0, 19)}  ${h.alias}: ${h.from === null ? "set to" : `${h.from} →`} ${h.to} by ${h.by}`);
  }
  return lines.join("\n");
}
