"use client";
// Label sets: pick a dataset, search its diagnoses with their counts, tick, name the set, save.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useId, useState } from "react";
import { useTRPC } from "../../lib/trpc.ts";
import { StatePanel } from "../state-panel.tsx";
import { DatasetPreview } from "./dataset-preview.tsx";
import { DiagnosisPicker } from "./diagnosis-picker.tsx";
import "./datasets.css";

export function LabelSetEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const ids = { dataset: useId(), name: useId(), existing: useId() };
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const sets = useQuery(trpc.datasets.labelSets.queryOptions());
  const [dataset, setDataset] = useState(params.get("dataset") ?? "");
  const [name, setName] = useState("");
  const [selected, setSelected] = useState<string[]>([]);
  const chosen = dataset || datasets.data?.[0]?.name || "";
  const detail = useQuery(trpc.datasets.get.queryOptions({ name: chosen }, { enabled: Boolean(chosen) }));
  const save = useMutation(trpc.datasets.addLabelSet.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.datasets.labelSets.queryKey() }) }));

  function load(saved: string) {
    const s = sets.data?.find((x) => x.name === saved);
    if (!s) return;
    setName(s.name);
    setSelected(s.labels);
  }

  if (datasets.isPending) return <StatePanel kind="loading" title="Loading datasets…" />;
  if (!datasets.data?.length) return <StatePanel kind="empty" title="No dataset yet">Import a dataset first: label sets are picked from its diagnoses.</StatePanel>;
  return (
    <>
      <div className="page-head"><h1>Label sets</h1></div>
      <div className="ds-grid">
        <section className="panel">
          <div className="ds-controls">
            <label htmlFor={ids.dataset}>Dataset</label>
            <select id={ids.dataset} value={chosen} onChange={(e) => { setDataset(e.target.value); setSelected([]); save.reset(); }}>
              {datasets.data.map((d) => <option key={d.name} value={d.name}>{d.name}</option>)}
            </select>
            <label htmlFor={ids.existing}>Edit</label>
            <select id={ids.existing} value="" onChange={(e) => load(e.target.value)}>
              <option value="">a saved set…</option>
              {sets.data?.map((s) => <option key={s.name} value={s.name}>{s.name} ({s.labels.length})</option>)}
            </select>
          </div>
          {detail.data ? <DiagnosisPicker diagnoses={detail.data.diagnoses} selected={selected} onChange={(l) => { setSelected(l); save.reset(); }} /> : <p className="muted">Loading diagnoses…</p>}
          <form className="ds-controls" onSubmit={(e) => { e.preventDefault(); save.mutate({ name: name.trim(), labels: selected, dataset: chosen }); }}>
            <label htmlFor={ids.name}>Name</label>
            <input id={ids.name} type="text" value={name} onChange={(e) => { setName(e.target.value); save.reset(); }} placeholder="common25" />
            <button className="button button-primary" type="submit" disabled={!name.trim() || !selected.length || save.isPending}>Save label set</button>
          </form>
          {save.isError && <p className="text-error" role="alert">{save.error.message}</p>}
          {save.isSuccess && <p className="text-ok" data-testid="label-set-saved">Saved “{save.data.name}” ({save.data.labels.length} labels). Use it in a config as <code>labels: {"{"}set: {save.data.name}{"}"}</code>.</p>}
        </section>
        <section className="panel">
          <h2>What a run would get</h2>
          {chosen && <DatasetPreview dataset={chosen} labels={selected} />}
        </section>
      </div>
      <section className="panel" style={{ marginTop: 12 }}>
        <h2>Saved label sets</h2>
        <table className="ds-table" data-testid="label-sets">
          <tbody>{sets.data?.map((s) => <tr key={s.name}><td>{s.name}</td><td className="num">{s.labels.length}</td><td className="small muted">{s.labels.slice(0, 12).join(", ")}{s.labels.length > 12 ? ", …" : ""}</td></tr>)}</tbody>
        </table>
      </section>
    </>
  );
}
