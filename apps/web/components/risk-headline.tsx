"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { riskHeadline } from "../lib/risk-curves.ts";
import { formatValue } from "../lib/tick-format.ts";
import { useTRPC } from "../lib/trpc.ts";

const show = (v: number | undefined) => (v === undefined ? "—" : formatValue(v, 3));

/**
 * A risk run's headline numbers: Harrell's C-index (the true hazard's beside it on the demo dataset),
 * Uno's C-index and the mean of the per-year AUCs, at test once the run has evaluated it, else at the
 * latest validation.
 */
export function RiskHeadline({ id, status, epoch }: { id: string; status: string; epoch: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.charts.summaries.queryOptions({ runs: [id] }));
  const { refetch } = q;
  useEffect(() => void refetch(), [status, epoch, refetch]); // each evaluation moves the values; test arrives at the end
  const h = useMemo(() => {
    const last: Record<string, number> = {};
    for (const [k, m] of Object.entries(q.data?.[0]?.metrics ?? {})) last[k] = m.last;
    return riskHeadline(last);
  }, [q.data]);
  if (q.isError) return <p className="text-error small">{q.error.message}</p>;
  if (!h) return <p className="muted small" data-testid="no-risk-headline">No C-index yet: it is computed at each validation evaluation.</p>;
  return (
    <dl className="risk-headline" data-testid="risk-headline" data-split={h.split}>
      <div>
        <dt>C-index ({h.split === "test" ? "test" : "val, latest"})</dt>
        <dd className="mono" data-testid="headline-c-index">
          {show(h.cIndex)}
          {h.oracle !== undefined && <span className="muted small headline-oracle" data-testid="headline-oracle">true hazard&apos;s {show(h.oracle)}</span>}
        </dd>
      </div>
      <div>
        <dt>Uno&apos;s C-index</dt>
        <dd className="mono" data-testid="headline-c-index-uno">{show(h.cIndexUno)}</dd>
      </div>
      <div>
        <dt>Mean AUC by year</dt>
        <dd className="mono" data-testid="headline-auc-mean">{show(h.aucMean)}</dd>
      </div>
    </dl>
  );
}
