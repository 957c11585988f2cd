"use client";

import { memo } from "react";
import { bestIndex, differingKeys, formatConfigValue } from "../lib/config-diff.ts";
import type { LineStyle } from "../lib/chart-lines.ts";
import { formatMetric } from "../lib/run-progress.ts";
import type { RouterOutputs } from "../lib/trpc.ts";

type Summary = RouterOutputs["charts"]["summaries"][number];

function RunHeads({ runs }: { runs: readonly LineStyle[] }) {
  return (
    <>
      {runs.map((r) => (
        <th key={r.id} scope="col" className="mono">
          <span className="swatch" style={{ background: r.color }} aria-hidden="true" /> {r.label}
        </th>
      ))}
    </>
  );
}

/** Only the config keys whose values differ between the runs. */
export const ConfigDiffTable = memo(function ConfigDiffTable({ summaries, runs }: { summaries: readonly Summary[]; runs: readonly LineStyle[] }) {
  const rows = differingKeys(summaries.map((s) => s.config));
  if (!rows.length) return <p className="muted small">The configs are identical (apart from the name).</p>;
  return (
    <div className="table-scroll">
      <table className="data-table compact" data-testid="config-diff">
        <thead>
          <tr>
            <th scope="col">Config key</th>
            <RunHeads runs={runs} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="config-diff-row" data-key={r.key}>
              <th scope="row" className="mono">{r.key}</th>
              {r.values.map((v, i) => (
                <td key={runs[i]?.id ?? i} className="mono">{formatConfigValue(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});

const LOWER_IS_BETTER = /loss/;

/** One row per metric key, one column per run, the best of each row marked. */
export const MetricTable = memo(function MetricTable({ summaries, runs, keys, pick, testId, caption }: {
  summaries: readonly Summary[];
  runs: readonly LineStyle[];
  keys: readonly string[];
  pick: "last" | "best";
  testId: string;
  caption: string;
}) {
  if (!keys.length) return <p className="muted small">No {caption.toLowerCase()} yet.</p>;
  return (
    <div className="table-scroll">
      <table className="data-table compact" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <RunHeads runs={runs} />
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const mode = LOWER_IS_BETTER.test(key) ? "min" : "max";
            const values = summaries.map((s) => {
              const m = s.metrics[key];
              if (!m) return null;
              return pick === "last" ? m.last : mode === "max" ? m.max : m.min;
            });
            const best = bestIndex(values, mode);
            return (
              <tr key={key} data-key={key}>
                <th scope="row" className="mono">{key}</th>
                {values.map((v, i) => (
                  <td key={runs[i]?.id ?? i} className={`mono num${i === best ? " best-cell" : ""}`} data-best={i === best || undefined}>
                    {v == null ? "—" : formatMetric(v)}
                    {i === best && <span className="sr-only"> (best)</span>}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
});

/** Metric keys present in any of the summaries, matching a pattern, sorted. */
export function keysMatching(summaries: readonly Summary[], re: RegExp): string[] {
  return [...new Set(summaries.flatMap((s) => Object.keys(s.metrics)))].filter((k) => re.test(k)).sort();
}
