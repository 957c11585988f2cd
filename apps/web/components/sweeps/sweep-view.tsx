"use client";

import Link from "next/link";
import { useSweepLive } from "../../hooks/use-sweep-live.ts";
import { compareHref } from "../../lib/chart-settings.ts";
import { topTrials } from "../../lib/sweep-trials.ts";
import { StatePanel } from "../state-panel.tsx";
import { LoadError } from "../load-error.tsx";
import { BestSoFarChart } from "./best-so-far.tsx";
import { ImportanceBars } from "./importance-bars.tsx";
import { ParallelCoordinates } from "./parallel-coordinates.tsx";
import { ParamScatters } from "./param-scatter.tsx";
import { SweepHeader } from "./sweep-header.tsx";
import { TrialTable } from "./trial-table.tsx";
import "./sweeps.css";

/** The sweep page: header and actions, trials, parameters to metric, best so far, importance; live on sweeps.watch. */
export function SweepView({ id }: { id: string }) {
  const { sweep, importance, live } = useSweepLive(id);
  if (sweep.isPending) return <StatePanel kind="loading" title="Loading sweep…" />;
  if (sweep.isError) return <LoadError error={sweep.error} noun="sweep" id={id} back={{ href: "/sweeps", label: "Back to the sweeps" }} />;
  const s = sweep.data;
  const top = topTrials(s.trials, s.metric.goal, 5);
  return (
    <div className="run-page sweep-page">
      <nav className="crumbs small" aria-label="Breadcrumb">
        <Link href="/sweeps">Sweeps</Link> <span aria-hidden="true">/</span> <span className="mono">{s.id}</span>
      </nav>
      <SweepHeader sweep={s} live={live.status} />

      <section aria-labelledby="trials-title">
        <div className="section-head">
          <h2 id="trials-title">Trials</h2>
          {top.length > 0 && (
            <Link className="button" href={compareHref(top.map((t) => t.runId!))} data-testid="compare-top" data-runs={top.map((t) => t.runId).join(",")}>
              Compare the top {top.length}
            </Link>
          )}
        </div>
        <TrialTable sweep={s} />
      </section>

      <section className="panel sweep-section" aria-labelledby="pc-title">
        <div className="section-head"><h2 id="pc-title">Parameters to {s.metric.name}</h2></div>
        <ParallelCoordinates sweep={s} />
      </section>

      <section className="panel sweep-section" aria-labelledby="scatter-title">
        <div className="section-head"><h2 id="scatter-title">{s.metric.name} against each parameter</h2></div>
        <ParamScatters sweep={s} />
      </section>

      <div className="run-columns">
        <section className="panel" aria-labelledby="best-title">
          <div className="section-head"><h2 id="best-title">Best so far</h2></div>
          <BestSoFarChart sweep={s} />
        </section>
        <section className="panel" aria-labelledby="importance-title">
          <div className="section-head"><h2 id="importance-title">Parameter importance</h2></div>
          <ImportanceBars data={importance.data} pending={importance.isPending} error={importance.isError ? importance.error.message : null} />
        </section>
      </div>
    </div>
  );
}
