"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatMetric } from "../../lib/run-progress.ts";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { LoadError } from "../load-error.tsx";
import { StatePanel } from "../state-panel.tsx";
import { AliasChips } from "./models-list-view.tsx";
import "./models.css";

type ModelDetail = RouterOutputs["models"]["get"];
type ModelVersion = ModelDetail["versions"][number];

const short = (hash: string | null) => (hash ? hash.replace(/^sha256:/, "").slice(0, 12) : null);

/** One model: its versions (metrics at registration, lineage to runs, exports), its aliases and their history. */
export function ModelView({ name }: { name: string }) {
  const trpc = useTRPC();
  // after a click on an export not built yet, re-read until the daemon reports it built (the label follows)
  const [awaitingExport, setAwaitingExport] = useState(false);
  const model = useQuery({
    ...trpc.models.get.queryOptions({ name }),
    refetchInterval: (q) => (awaitingExport && q.state.data?.versions.some((v) => Object.values(v.exports).some((e) => !e.built)) ? 2000 : false),
  });
  if (model.isError) return <LoadError error={model.error} noun="model" id={name} back={{ href: "/models", label: "All models" }} />;
  if (model.isPending) return <StatePanel kind="loading" title="Loading the model…" />;
  const m = model.data;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1 data-testid="model-name">{m.name}</h1>
          <p className="muted small">
            {m.versions.length} {m.versions.length === 1 ? "version" : "versions"} · owner {m.owner}
            {m.description && <> · {m.description}</>}
          </p>
        </div>
        <div className="page-actions">
          <Link href="/models" className="button">All models</Link>
        </div>
      </div>
      <AliasPanel model={m} />
      <section aria-labelledby="versions-title" className="stack">
        <h2 id="versions-title">Versions</h2>
        {[...m.versions].reverse().map((v) => (
          <VersionCard key={v.version} v={v} onExportRequested={() => setAwaitingExport(true)} />
        ))}
      </section>
    </div>
  );
}

function VersionCard({ v, onExportRequested }: { v: ModelVersion; onExportRequested: () => void }) {
  const [requested, setRequested] = useState<string[]>([]);
  const tags = Object.entries(v.tags);
  const test = Object.entries(v.metrics.test).filter(([, value]) => typeof value === "number").slice(0, 12);
  const run = v.lineage.run;
  return (
    <article className="panel version-card" data-testid="model-version" data-version={v.version}>
      <h3>
        <span className="mono">v{v.version}</span>
        <AliasChips aliases={v.aliases} />
        <span className="muted small">{v.task} · registered by {v.owner} {new Date(v.createdAt).toLocaleString()}</span>
      </h3>
      {v.description && <p className="small">{v.description}</p>}
      {tags.length > 0 && (
        <p className="alias-chips">{tags.map(([k, val]) => <span key={k} className="alias-chip">{val ? `${k}=${val}` : k}</span>)}</p>
      )}
      <dl className="lineage" data-testid="lineage">
        <dt>Run</dt>
        <dd>
          <Link href={`/runs/${encodeURIComponent(run.id)}`} className="mono" data-testid="lineage-run">{run.id}</Link>
          {run.name ? <span className="muted"> {run.name} · {run.status}</span> : <span className="muted"> (deleted)</span>}
        </dd>
        <dt>Checkpoint</dt>
        <dd className="mono">{v.lineage.checkpoint.name} (epoch {v.metrics.checkpoint.epoch}) <span className="muted" title={v.lineage.checkpoint.sha256}>sha256 {short(v.lineage.checkpoint.sha256)}</span></dd>
        <dt>Dataset</dt>
        <dd className="mono">
          <Link href={`/datasets/${encodeURIComponent(v.lineage.dataset.name)}`}>{v.lineage.dataset.name}</Link>{" "}
          <span className="muted" title={v.lineage.dataset.fingerprint ?? undefined} data-testid="dataset-fingerprint">
            {v.lineage.dataset.fingerprint ? `fingerprint ${short(v.lineage.dataset.fingerprint)}` : "fingerprint unknown (re-imported or removed since the run)"}
          </span>
        </dd>
        <dt>Classes</dt>
        <dd>{v.classes.join(", ")}</dd>
        <dt>Monitor</dt>
        <dd className="mono">{v.metrics.monitor ? `${v.metrics.monitor.name} ${formatMetric(v.metrics.monitor.value)}` : "—"}</dd>
      </dl>
      {test.length > 0 && (
        <table className="compact-table" data-testid="version-test-metrics">
          <thead>
            <tr><th scope="col">Test metric</th><th scope="col" className="num">Value</th></tr>
          </thead>
          <tbody>
            {test.map(([k, value]) => (
              <tr key={k}><td className="mono small">{k}</td><td className="num mono">{formatMetric(value as number)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="version-actions">
        {Object.entries(v.exports).map(([format, e]) => (
          <a
            key={format}
            href={e.url}
            download
            className="button"
            data-testid={`export-${format}`}
            title={e.built ? "built" : "built on the first download (a few seconds)"}
            onClick={() => {
              if (e.built) return;
              setRequested((r) => [...r, format]);
              onExportRequested();
            }}
          >
            Download {format === "onnx" ? "ONNX" : "TorchScript"}{e.built ? "" : requested.includes(format) ? " (building…)" : " (builds first)"}
          </a>
        ))}
      </div>
    </article>
  );
}

function AliasPanel({ model }: { model: ModelDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [alias, setAlias] = useState("production");
  const [version, setVersion] = useState(String(model.versions.at(-1)?.version ?? 1));
  const move = useMutation(
    trpc.models.alias.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() }),
    }),
  );
  return (
    <section className="panel stack" aria-labelledby="aliases-title">
      <div className="section-head">
        <h2 id="aliases-title">Aliases</h2>
        <AliasChips aliases={model.aliases} />
      </div>
      <form
        className="version-actions"
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate({ name: model.name, version, alias: alias.trim() });
        }}
      >
        <label htmlFor="alias-name">Point</label>
        <input id="alias-name" value={alias} onChange={(e) => setAlias(e.target.value)} list="alias-suggestions" data-testid="alias-input" size={14} />
        <datalist id="alias-suggestions">
          <option value="production" />
          <option value="staging" />
        </datalist>
        <label htmlFor="alias-version">at</label>
        <select id="alias-version" value={version} onChange={(e) => setVersion(e.target.value)} data-testid="alias-version">
          {model.versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
        </select>
        <button type="submit" className="button button-primary" disabled={move.isPending || !alias.trim()} data-testid="alias-move">
          {move.isPending ? "Moving…" : "Move alias"}
        </button>
        {move.isError && <span className="text-error small" role="alert">{move.error.message}</span>}
      </form>
      {model.aliasHistory.length > 0 ? (
        <table className="compact-table" data-testid="alias-history">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Alias</th><th scope="col">Move</th><th scope="col">By</th></tr>
          </thead>
          <tbody>
            {[...model.aliasHistory].reverse().map((h, i) => (
              <tr key={i} data-testid="alias-move-row">
                <td className="small">{new Date(h.at).toLocaleString()}</td>
                <td className="mono">{h.alias}</td>
                <td className="mono">{h.from === null ? `set to v${h.to}` : `v${h.from} → v${h.to}`}</td>
                <td className="small">{h.by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No alias yet: point <code>production</code> or <code>staging</code> at a version.</p>
      )}
    </section>
  );
}
