"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useRunsListLive } from "../hooks/use-runs-list-live.ts";
import { LiveIndicator } from "./live-indicator.tsx";
import { RunsTable } from "./runs-table.tsx";
import { StatePanel } from "./state-panel.tsx";

export function RunsListView() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.runs.list.queryOptions());
  const live = useRunsListLive();
  const counts = countByStatus(runs.data ?? []);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Runs</h1>
          {runs.data && (
            <p className="muted small" data-testid="runs-counts">
              {runs.data.length} {runs.data.length === 1 ? "run" : "runs"}
              {counts.running ? ` · ${counts.running} running` : ""}
              {counts.queued ? ` · ${counts.queued} queued` : ""}
            </p>
          )}
        </div>
        <div className="page-actions">
          <LiveIndicator status={live.status} />
          <Link href="/runs/new" className="button button-primary" data-testid="new-run">
            New run
          </Link>
        </div>
      </div>

      {runs.isPending ? (
        <StatePanel kind="loading" title="Loading runs…" />
      ) : runs.isError ? (
        <StatePanel kind="error" title="Could not load the runs">
          <p className="mono small">{runs.error.message}</p>
          <button type="button" className="button" onClick={() => void runs.refetch()}>
            Try again
          </button>
        </StatePanel>
      ) : runs.data.length === 0 ? (
        <StatePanel kind="empty" title="No runs yet">
          <p>
            Start one from an example config: <Link href="/runs/new">New run</Link>. From a shell:{" "}
            <code>trainyard run configs/demo.yaml</code>
          </p>
        </StatePanel>
      ) : (
        <RunsTable runs={runs.data} />
      )}
    </>
  );
}

function countByStatus(runs: { status: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of runs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}
