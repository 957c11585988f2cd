"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { useTRPC } from "../lib/trpc.ts";
import { ClassDecisionTable } from "./class-decision-table.tsx";

/** A classification run's per-class precision / recall at the decision threshold: latest validation, and test once evaluated. */
export function RunClassDecisions({ id, status, epoch, classes }: { id: string; status: string; epoch: number; classes: readonly string[] }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.charts.summaries.queryOptions({ runs: [id] }));
  const { refetch } = q;
  useEffect(() => void refetch(), [status, epoch, refetch]); // each evaluation updates the values; test arrives at the end
  const last = useMemo(() => {
    const out: Record<string, number> = {};
    for (const [k, m] of Object.entries(q.data?.[0]?.metrics ?? {})) out[k] = m.last;
    return out;
  }, [q.data]);
  if (q.isError) return <p className="text-error small">{q.error.message}</p>;
  const val = <ClassDecisionTable values={last} prefix="val" classes={classes} caption="Validation (latest evaluation)" />;
  const test = <ClassDecisionTable values={last} prefix="test" classes={classes} caption="Test (the tested checkpoint)" />;
  if (!Object.keys(last).some((k) => /^(val|test)\/(precision|recall)\//.test(k)))
    return <p className="muted small" data-testid="no-class-decisions">No per-class precision / recall yet: they are computed at each validation evaluation.</p>;
  return (
    <div data-testid="run-class-decisions">
      {val}
      {test}
    </div>
  );
}
