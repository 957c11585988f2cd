"use client";

import { shortKey } from "../../lib/sweep-axes.ts";

interface Importance {
  importance: Record<string, number>;
  method: string;
  reason: string | null;
}

/** Parameter importance (Optuna's fANOVA over the completed trials), largest first, as horizontal bars. */
export function ImportanceBars({ data, pending, error }: { data: Importance | undefined; pending: boolean; error: string | null }) {
  if (error) return <p className="text-error small">{error}</p>;
  if (pending || !data) return <p className="muted small">Computed once a trial has completed.</p>;
  const entries = Object.entries(data.importance).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return <p className="muted small" data-testid="importance-reason">{data.reason ?? "Not enough completed trials yet."}</p>;
  const top = Math.max(...entries.map(([, v]) => v), 1e-12);
  return (
    <div data-testid="importance" data-method={data.method}>
      <ul className="importance-bars">
        {entries.map(([k, v]) => (
          <li key={k} data-testid="importance-bar" data-key={k} data-value={v}>
            <span className="mono small" title={k}>{shortKey(k)}</span>
            <span className="importance-track"><span className="importance-fill" style={{ width: `${(v / top) * 100}%` }} /></span>
            <span className="mono small num">{(v * 100).toFixed(0)}%</span>
          </li>
        ))}
      </ul>
      <p className="muted small">{data.method}{data.reason ? ` · ${data.reason}` : ""}</p>
    </div>
  );
}
