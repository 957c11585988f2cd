"use client";

import Link from "next/link";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { formatMetric } from "../../lib/run-progress.ts";
import { trialsDone } from "../../lib/sweep-trials.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { LiveIndicator } from "../live-indicator.tsx";
import { StatePanel } from "../state-panel.tsx";
import { StatusBadge } from "../status-badge.tsx";
import "./sweeps.css";

/** Every sweep, newest first: status, method, trials done of max, the best metric; re-read on sweeps.watch. */
export function SweepsListView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.sweeps.list.queryOptions(undefined, { staleTime: Infinity }));
  const live = useSubscription(
    trpc.sweeps.watch.subscriptionOptions(undefined, {
      onData: () => void queryClient.invalidateQueries({ queryKey: trpc.sweeps.list.queryKey() }),
    }),
  );

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Sweeps</h1>
          {list.data && <p className="muted small" data-testid="sweeps-count">{list.data.length} {list.data.length === 1 ? "sweep" : "sweeps"}</p>}
        </div>
        <div className="page-actions">
          <LiveIndicator status={live.status} />
          <Link href="/runs/new?sweep=1" className="button button-primary" data-testid="new-sweep">New sweep</Link>
        </div>
      </div>
      {list.isError ? (
        <StatePanel kind="error" title="Could not load the sweeps">
          <p className="mono small">{list.error.message}</p>
          <button type="button" className="button" onClick={() => void list.refetch()}>Try again</button>
        </StatePanel>
      ) : list.isPending ? (
        <StatePanel kind="loading" title="Loading sweeps…" />
      ) : list.data.length === 0 ? (
        <StatePanel kind="empty" title="No sweeps yet">
          <p>Mark fields as swept on the <Link href="/runs/new?sweep=1">new-run form</Link>, or paste a sweep YAML there. From a shell: <code>trainyard sweep SWEEP.yaml</code></p>
        </StatePanel>
      ) : (
        <div className="table-wrap">
          <table className="runs-table" data-testid="sweeps-table">
            <thead>
              <tr>
                <th scope="col">Sweep</th>
                <th scope="col">Status</th>
                <th scope="col">Method</th>
                <th scope="col" className="num">Trials</th>
                <th scope="col" className="num">Best</th>
                <th scope="col">Owner</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((s) => {
                const created = new Date(s.createdAt);
                return (
                  <tr key={s.id} data-testid="sweep-row" data-sweep-id={s.id}>
                    <td>
                      <Link href={`/sweeps/${encodeURIComponent(s.id)}`} className="run-link">{s.name}</Link> <span className="muted mono small">{s.id}</span>
                    </td>
                    <td><StatusBadge status={s.status} testId="sweep-status" /></td>
                    <td className="small">
                      {s.method}
                      {s.earlyStopping.type !== "none" && <span className="muted"> · {s.earlyStopping.type}</span>}
                    </td>
                    <td className="num mono" data-testid="sweep-trials" title={`${s.counts.running ?? 0} running, ${s.counts.queued ?? 0} queued`}>
                      {trialsDone(s.counts)} / {s.maxTrials}
                    </td>
                    <td className="num mono" data-testid="sweep-best" title={s.best ? `${s.metric.name} (${s.metric.goal}) · trial ${s.best.number}` : s.metric.name}>
                      {s.best?.value != null ? formatMetric(s.best.value) : "—"}
                    </td>
                    <td className="small">{s.owner}</td>
                    <td className="small" title={created.toLocaleString()}>{created.toLocaleDateString()}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
