// Terminal rendering of import reports, import progress and previews.
import type { BoxesReport, ImportReport, SizeQuantiles, SurvivalReport } from "@trainyard/data";
import type { Preview } from "../datasets/preview.ts";

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 2 : 1)}%`;
const list = <T>(items: T[], fmt: (t: T) => string, max = 20) =>
  items.slice(0, max).map((t) => `    ${fmt(t)}`).concat(items.length > max ? [`    ... and ${items.length - max} more (see --json)`] : []);

export function formatImportReport(name: string, r: ImportReport): string {
  const t = r.truncated ?? {};
  const lines = [
    `dataset "${name}" (${r.format}): ${r.rows} rows -> ${r.images} images of ${r.groups} groups (${r.columns.group}); ${r.usableImages} usable`,
    `  columns: image ${r.columns.image}, group ${r.columns.group}, label ${r.columns.label ?? (r.boxes ? "(the box classes)" : "(none)")}${r.columns.split ? `, split ${r.columns.split}` : ""}${r.columns.case ? `, case ${r.columns.case}` : ""}`,
    `  images: ${r.imagesFound} found, ${t.missingImages ?? r.missingImages.length} missing, ${t.unreadableImages ?? r.unreadableImages.length} unreadable`,
    ...list(r.missingImages, (p) => `missing: ${p}`),
    ...list(r.unreadableImages, (u) => `unreadable: ${u.path}: ${u.error}`),
    `  duplicate image ids: ${t.duplicateImageIds ?? r.duplicateImageIds.length} (${r.duplicateRows} extra rows merged)`,
    ...list(r.duplicateImageIds, (d) => `${d.id}: ${d.rows} rows`, 5),
    `  images per group: min ${r.imagesPerGroup.min}, median ${r.imagesPerGroup.median}, mean ${r.imagesPerGroup.mean.toFixed(2)}, max ${r.imagesPerGroup.max} (${r.imagesPerGroup.largest.map((g) => `${g.group} ${g.images}`).join(", ")})`,
    `    groups by size: ${Object.entries(r.imagesPerGroup.histogram).map(([k, v]) => `${k}: ${v}`).join(", ")}`,
    `  diagnoses (${Object.keys(r.diagnoses).length}, images each): ${Object.entries(r.diagnoses).slice(0, 30).map(([k, v]) => `${k} ${v}`).join(", ")}${Object.keys(r.diagnoses).length > 30 ? ", ..." : ""}`,
    `  labels per image: ${Object.entries(r.labelsPerImage).map(([k, v]) => `${k}: ${v}`).join(", ")}; unlabeled ${r.unlabeledImages}`,
    `  metadata (encoded dimension ${r.encodedDim}):`,
    ...r.metadata.map((m) => `    ${m.name.padEnd(28)} ${(m.kind ?? "skipped").padEnd(12)} missing ${pct(m.missingRate).padStart(6)}  ${m.distinct} distinct${m.skipped ? `  (${m.skipped})` : ""}`),
  ];
  if (r.split) {
    lines.push(`  split column ${r.split.column}: ${Object.entries(r.split.counts).map(([k, v]) => `${k} ${v}`).join(", ")}${r.split.unknownValues.length ? `; not a split name: ${r.split.unknownValues.join(", ")}` : ""}`);
    const n = t["split.crossingGroups"] ?? r.split.crossingGroups.length;
    lines.push(n ? `  LEAK: ${n} groups (${r.split.crossingImages} images) appear in more than one split:` : "  no group appears in more than one split");
    lines.push(...list(r.split.crossingGroups, (g) => `${g.group}: ${g.splits.join(" + ")} (${g.images} images)`, 1000));
  }
  if (r.boxes) lines.push(...formatBoxes(r.boxes, t["boxes.rejected"]));
  if (r.survival) lines.push(...formatSurvival(r.survival));
  return lines.join("\n");
}

const q = (s: SizeQuantiles, unit = "") => `min ${s.min}${unit}, p5 ${s.p05}, median ${s.median}, p95 ${s.p95}, max ${s.max}${unit} (mean ${s.mean})`;
const qPct = (s: SizeQuantiles) => `min ${pct(s.min)}, p5 ${pct(s.p05)}, median ${pct(s.median)}, p95 ${pct(s.p95)}, max ${pct(s.max)}`;

function formatBoxes(b: BoxesReport, rejectedTotal: number | undefined): string[] {
  const rejected = rejectedTotal ?? b.rejected.length;
  const lines = [
    `  boxes (${b.format}, ${b.file}${b.namesFile ? `, names ${b.namesFile}` : ""}): ${b.total} boxes over ${b.classes.length} classes; ${b.read} read, ${rejected} rejected, ${b.clipped} clipped to the image`,
    ...(b.columns ? [`    columns: image ${b.columns.image}, coordinates ${b.columns.coords.join(",")}, class ${b.columns.label}`] : []),
    `    per class (boxes / images): ${b.classes.map((c) => `${c} ${b.perClass[c]}/${b.imagesPerClass[c]}`).join(", ")}`,
    `    boxes per image: min ${b.perImage.min}, median ${b.perImage.median}, mean ${b.perImage.mean}, max ${b.perImage.max}; ${Object.entries(b.perImage.histogram).map(([k, v]) => `${k}: ${v}`).join(", ")}`,
    `    images with boxes ${b.imagesWithBoxes}; no findings ${b.noFindings}${b.unlistedImages !== null ? ` (${b.unlistedImages} not listed in the boxes file)` : ""}`,
  ];
  if (b.size)
    lines.push(
      `    box width px: ${q(b.size.width)}`,
      `    box height px: ${q(b.size.height)}`,
      `    box sqrt(area) px: ${q(b.size.sqrtArea)}; as a fraction of the image: ${qPct(b.size.relSqrtArea)}`,
    );
  if (rejected) {
    lines.push(`    rejected: ${Object.entries(b.rejectedByReason).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    lines.push(...list(b.rejected, (x) => `rejected ${x.source} (${x.image || "no image"}): ${x.reason}: ${x.message}`, 50));
  }
  lines.push(`    slightly outside the image: ${b.tolerance}`);
  return lines;
}

const bins = (h: Record<string, number>) => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join(", ");

function formatSurvival(s: SurvivalReport): string[] {
  const f = s.followup;
  const c = s.columns;
  const views = Object.keys(s.viewCounts);
  return [
    `  follow-up targets (time ${c.time.join(" to ")}, event ${c.event}${c.view ? `, view ${c.view}` : ""}${c.case ? `, case ${c.case}` : ""}): ${s.cases} exams; ${s.events} events (${pct(s.eventRate)}), ${s.censored} censored (${pct(s.cases ? s.censored / s.cases : 0)})${s.casesWithoutImages ? `; ${s.casesWithoutImages} exams without a usable image` : ""}`,
    `    follow-up years: min ${f.min}, p10 ${f.p10}, p25 ${f.p25}, median ${f.median}, p75 ${f.p75}, p90 ${f.p90}, max ${f.max} (mean ${f.mean})`,
    `    exams by follow-up year: ${bins(s.followupHistogram)}`,
    `    events per year: ${bins(s.eventsPerYear)}`,
    `    censored per year: ${bins(s.censoredPerYear)}`,
    `    views (${views.length}): ${views.map((v) => `${v} ${s.viewCounts[v]}`).join(", ")}; views per exam: ${bins(s.viewsPerCase)}`,
    `    exams missing a view: ${s.casesMissingView}${s.casesMissingView ? ` (${Object.entries(s.missingByView).filter(([, k]) => k > 0).map(([v, k]) => `${v} ${k}`).join(", ")})` : ""}`,
  ];
}

export function formatPreview(p: Preview & { name?: string; imageSize?: number; cache?: string }): string {
  const w = Math.max(8, ...p.classes.map((c) => c.length));
  const row = (label: string, cells: (number | string)[]) => `${label.padEnd(w)}  ${cells.map((c) => String(c).padStart(8)).join("")}`;
  const lines = [
    `${p.name ? `${p.name} on ` : ""}${p.dataset}${p.imageSize ? ` at ${p.imageSize}px (cache ${p.cache})` : ""}: ${p.total} samples, ${p.classes.length} classes`,
    row("class", ["train", "val", "test", "total"]),
    ...p.classes.map((c) => row(c, [p.counts.train.perClass[c], p.counts.val.perClass[c], p.counts.test.perClass[c], p.counts.train.perClass[c] + p.counts.val.perClass[c] + p.counts.test.perClass[c]])),
    row("samples", [p.counts.train.total, p.counts.val.total, p.counts.test.total, p.total]),
    row("groups", [p.groups.train, p.groups.val, p.groups.test, p.groups.train + p.groups.val + p.groups.test]),
    `left out: ${p.dropped.unusable} unusable images, ${p.dropped.subsample} by subsampling, ${p.dropped.unlabeled} without a selected label, ${p.dropped.otherDownsampled} "other" downsampled`,
  ];
  if (p.otherMakeup.length) lines.push(`"other" in train: ${p.otherMakeup.map((o) => `${o.diagnosis} ${o.count}`).join(", ")}`);
  if (p.risk) return formatRiskPreview(p, lines).join("\n");
  return lines.join("\n");
}

/** A risk preview: samples are exams, "event" counts those with an event; what left out is exams. */
function formatRiskPreview(p: Preview & { name?: string; imageSize?: number; cache?: string }, lines: string[]): string[] {
  const r = p.risk!;
  const m = r.missingViews;
  const missing = Object.entries(m.byView).filter(([, k]) => k > 0).map(([v, k]) => `${v} ${k}`).join(", ") || "none";
  return [
    lines[0].replace(/ samples, \d+ classes$/, ` exams of ${r.viewNames.length} view${r.viewNames.length === 1 ? "" : "s"} (${r.viewNames.join(", ")}); "event" counts the exams with an event`),
    ...lines.slice(1).filter((l) => !l.startsWith("left out:")).map((l) => l.replace(/^samples/, "exams  ")),
    `left out: ${r.leftOut.noImage} exams without a usable image, ${r.leftOut.subsample} by subsampling, ${r.leftOut.missingViews} for missing views`,
    m.policy === "drop" ? `missing views (drop): ${r.leftOut.missingViews} exams left out; missing ${missing}` : `missing views (allow): ${m.cases} exams kept with a view masked; missing ${missing}`,
  ];
}
