"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { formatMetric } from "../../lib/run-progress.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { StatePanel } from "../state-panel.tsx";
import "./models.css";

/** Every registered model: its versions, the newest one's run and monitor, its aliases. */
export function ModelsListView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.models.list.queryOptions());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Models</h1>
          {list.data && <p className="muted small" data-testid="models-count">{list.data.length} {list.data.length === 1 ? "model" : "models"}</p>}
        </div>
      </div>
      {list.isError ? (
        <StatePanel kind="error" title="Could not load the models">
          <p className="mono small">{list.error.message}</p>
          <button type="button" className="button" onClick={() => void list.refetch()}>Try again</button>
        </StatePanel>
      ) : list.isPending ? (
        <StatePanel kind="loading" title="Loading models…" />
      ) : list.data.length === 0 ? (
        <StatePanel kind="empty" title="No models registered yet">
          <p>Open a finished run and press <strong>Register</strong> beside one of its checkpoints. From a shell: <code>trainyard model register RUN --name M</code></p>
        </StatePanel>
      ) : (
        <div className="table-wrap">
          <table className="runs-table" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className="num">Versions</th>
                <th scope="col">Newest</th>
                <th scope="col">Aliases</th>
                <th scope="col">Owner</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.name} data-testid="model-row" data-model={m.name}>
                  <td>
                    <Link href={`/models/${encodeURIComponent(m.name)}`} className="run-link">{m.name}</Link>
                    {m.description && <div className="muted small">{m.description}</div>}
                  </td>
                  <td className="num mono">{m.versions}</td>
                  <td className="small">
                    {m.latest ? (
                      <>
                        v{m.latest.version} · <Link href={`/runs/${encodeURIComponent(m.latest.runId)}`} className="mono">{m.latest.runId}</Link>
                        {m.latest.monitor && <span className="mono muted"> · {m.latest.monitor.name} {formatMetric(m.latest.monitor.value)}</span>}
                      </>
                    ) : "—"}
                  </td>
                  <td><AliasChips aliases={m.aliases} /></td>
                  <td className="small">{m.owner}</td>
                  <td className="small" title={new Date(m.createdAt).toLocaleString()}>{new Date(m.createdAt).toLocaleDateString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function AliasChips({ aliases }: { aliases: Record<string, number> | string[] }) {
  const entries = Array.isArray(aliases) ? aliases.map((a) => [a, null] as const) : Object.entries(aliases);
  if (!entries.length) return <span className="muted small">—</span>;
  return (
    <span className="alias-chips">
      {entries.map(([a, v]) => (
        <span key={a} className="alias-chip" data-testid="alias-chip">{a}{v !== null && <span className="muted"> → v{v}</span>}</span>
      ))}
    </span>
  );
}
