"use client";

import { useMemo } from "react";
import { SCHEDULES } from "@trainyard/config";
import { moveItem } from "../lib/config-doc.ts";
import { lrCurve, phaseStarts, type LrPhase } from "../lib/lr-schedule.ts";
import type { FieldContext } from "./config-field.tsx";
import { formatLr } from "./chart-panels.tsx";
import { LineChart } from "./line-chart.tsx";

type Phase = Record<string, unknown>;
const num = (v: string) => (v === "" ? undefined : Number(v));
const COLUMNS = ["name", "epochs", "lr", "train", "backbone ×", "schedule", "warmup", ""];

/** Add, remove, reorder and edit phases; the LR they produce over epochs is drawn below. */
export function PhaseEditor({ ctx, phases }: { ctx: FieldContext; phases: Phase[] }) {
  const setPhases = (next: Phase[]) => ctx.set(["training", "phases"], next);
  const setField = (i: number, key: string, value: unknown) => setPhases(phases.map((p, j) => (j === i ? clean({ ...p, [key]: value }) : p)));
  const err = (i: number, key: string) => ctx.issues.get(`training.phases[${i}].${key}`);

  const chart = useMemo(() => {
    const valid = phases.map((p) => ({ ...p, epochs: Number(p.epochs), lr: Number(p.lr) }) as LrPhase);
    const curve = lrCurve(valid, 10);
    const x = curve.map((p) => p.epoch);
    const heads = curve.map((p) => p.lr);
    const backbone = curve.map((p) => p.backbone ?? Number.NaN);
    return {
      lines: [
        { id: "heads", label: "heads LR", color: "#3b82f6", x, y: heads, lo: heads, hi: heads, smooth: null },
        { id: "backbone", label: "backbone LR", color: "#f59e0b", x, y: backbone, lo: backbone, hi: backbone, smooth: null },
      ],
      markers: phaseStarts(valid).map((s) => ({ x: s.epoch, label: s.name })),
    };
  }, [phases]);

  return (
    <div data-testid="phase-editor">
      <table className="phase-table">
        <thead>
          <tr>{COLUMNS.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {phases.map((p, i) => (
            <tr key={i} data-testid="phase-row">
              <td><input aria-label={`phase ${i + 1} name`} value={String(p.name ?? "")} onChange={(e) => setField(i, "name", e.target.value)} data-testid="phase-name" />{err(i, "name") && <span className="field-error">{err(i, "name")}</span>}</td>
              <td><input aria-label={`phase ${i + 1} epochs`} type="number" min={1} value={p.epochs == null ? "" : String(p.epochs)} onChange={(e) => setField(i, "epochs", num(e.target.value))} data-testid="phase-epochs" />{err(i, "epochs") && <span className="field-error">{err(i, "epochs")}</span>}</td>
              <td><input aria-label={`phase ${i + 1} learning rate`} type="number" step="any" value={p.lr == null ? "" : String(p.lr)} onChange={(e) => setField(i, "lr", num(e.target.value))} data-testid="phase-lr" />{err(i, "lr") && <span className="field-error" data-testid="field-error" data-path={`training.phases[${i}].lr`}>{err(i, "lr")}</span>}</td>
              <td><input aria-label={`phase ${i + 1} trains`} value={Array.isArray(p.train) ? p.train.join(", ") : "all"} onChange={(e) => setField(i, "train", e.target.value.split(",").map((s) => s.trim()).filter(Boolean))} data-testid="phase-train" /></td>
              <td><input aria-label={`phase ${i + 1} backbone LR multiplier`} type="number" step="any" value={p.backbone_lr_mult == null ? "" : String(p.backbone_lr_mult)} placeholder="1" onChange={(e) => setField(i, "backbone_lr_mult", num(e.target.value))} /></td>
              <td>
                <select aria-label={`phase ${i + 1} schedule`} value={String(p.schedule ?? "constant")} onChange={(e) => setField(i, "schedule", e.target.value)} data-testid="phase-schedule">
                  {SCHEDULES.map((s) => <option key={s} value={s}>{s}</option>)}
                </select>
              </td>
              <td><input aria-label={`phase ${i + 1} warmup epochs`} type="number" step="any" min={0} value={p.warmup_epochs == null ? "" : String(p.warmup_epochs)} placeholder="0" onChange={(e) => setField(i, "warmup_epochs", num(e.target.value))} /></td>
              <td className="nowrap">
                <button type="button" className="button button-small" aria-label={`move phase ${i + 1} up`} disabled={i === 0} onClick={() => setPhases(moveItem(phases, i, i - 1))}>↑</button>
                <button type="button" className="button button-small" aria-label={`move phase ${i + 1} down`} disabled={i === phases.length - 1} onClick={() => setPhases(moveItem(phases, i, i + 1))}>↓</button>
                <button type="button" className="button button-small" aria-label={`remove phase ${i + 1}`} disabled={phases.length <= 1} onClick={() => setPhases(phases.filter((_, j) => j !== i))} data-testid="phase-remove">✕</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="button button-small" data-testid="phase-add" onClick={() => setPhases([...phases, { name: `phase${phases.length + 1}`, epochs: 1, lr: Number(phases.at(-1)?.lr ?? 1e-4), train: ["all"] }])}>
        + Add phase
      </button>
      <LineChart title="Learning rate over epochs" testId="lr-preview" lines={chart.lines} markers={chart.markers} xMode="epoch" logY={false} ignoreOutliers={false} format={formatLr} height={150} xFormat={(x) => String(Math.round(x * 10) / 10)} xLabel="epoch" />
    </div>
  );
}

/** Drops keys left empty, so the schema default applies rather than an empty value. */
function clean(p: Phase): Phase {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}
