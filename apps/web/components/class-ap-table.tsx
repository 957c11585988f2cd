"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { CLASS_COLUMNS, classRows } from "../lib/class-metrics.ts";
import { formatMetric } from "../lib/run-progress.ts";
import { useTRPC } from "../lib/trpc.ts";

/** Per class AP50, AP50-95, precision and recall at the latest validation evaluation, and at test when present. */
export function ClassApTable({ id, status, epoch }: { id: string; status: string; epoch: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.charts.summaries.queryOptions({ runs: [id] }));
  const { refetch } = q;
  useEffect(() => void refetch(), [status, epoch, refetch]); // each evaluation updates the values; test arrives at the end
  const { rows, hasTest } = useMemo(() => {
    const last: Record<string, number> = {};
    for (const [k, m] of Object.entries(q.data?.[0]?.metrics ?? {})) last[k] = m.last;
    return classRows(last);
  }, [q.data]);
  if (q.isError) return <p className="text-error small">{q.error.message}</p>;
  if (!rows.length) return <p className="muted small" data-testid="no-class-ap">No per-class AP yet: it is computed at each validation evaluation.</p>;
  const cell = (v: number | undefined) => (v === undefined ? "—" : formatMetric(v));
  return (
    <div className="table-scroll">
      <table className="data-table compact" data-testid="class-ap-table">
        <caption className="sr-only">Per-class detection metrics</caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>Class</th>
            <th scope="colgroup" colSpan={CLASS_COLUMNS.length}>Validation (latest)</th>
            {hasTest && <th scope="colgroup" colSpan={CLASS_COLUMNS.length}>Test</th>}
          </tr>
          <tr>
            {(hasTest ? [...CLASS_COLUMNS, ...CLASS_COLUMNS] : CLASS_COLUMNS).map((c, i) => <th key={i} scope="col" className="num">{c.title}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.cls} data-testid="class-ap-row" data-class={r.cls}>
              <th scope="row" className="mono">{r.cls}</th>
              {CLASS_COLUMNS.map((c) => <td key={c.prefix} className="mono num" data-key={`val/${c.prefix}`}>{cell(r.val[c.prefix])}</td>)}
              {hasTest && CLASS_COLUMNS.map((c) => <td key={c.prefix} className="mono num" data-key={`test/${c.prefix}`}>{cell(r.test[c.prefix])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
