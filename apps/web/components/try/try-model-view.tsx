"use client";

import Link from "next/link";
import { useEffect, useMemo, useState, type DragEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import type { Prediction, PredictionField, PredictionTargetInfo } from "@trainyard/protocol";
import { boxLabel, classColors, fitSize, placeBox } from "../../lib/boxes.ts";
import { metadataPayload, percent, predictableRuns, probabilityBars, type FieldValues } from "../../lib/try-model.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { StatePanel } from "../state-panel.tsx";
import "./try-model.css";

async function readJson<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => ({ error: `the daemon answered ${res.status} without JSON` }));
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `the daemon answered ${res.status}`);
  return body as T;
}

/**
 * Try a model: pick a run's best checkpoint (or type a registered model as MODEL@VERSION / MODEL@ALIAS), upload
 * a PNG or JPEG, fill the metadata fields the model's encoder describes, and see class probabilities as bars,
 * per-year risks, or a detector's boxes drawn on the image ("No findings" when none scores the run's threshold).
 */
export function TryModelView() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.runs.list.queryOptions({ status: ["completed"], limit: 200 }));
  const choices = useMemo(() => predictableRuns(runs.data ?? []), [runs.data]);
  const [target, setTarget] = useState("");
  const [typed, setTyped] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [values, setValues] = useState<FieldValues>({});
  const [result, setResult] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (!target && choices.length) setTarget(choices[0].id);
  }, [choices, target]);
  const info = useQuery({
    queryKey: ["predict-target", target],
    enabled: Boolean(target),
    staleTime: 60_000,
    retry: false,
    queryFn: async () => readJson<PredictionTargetInfo>(await fetch(`/api/predict/target?${new URLSearchParams({ target })}`)),
  });
  useEffect(() => {
    setValues({});
    setResult(null);
    setError(null);
  }, [target]);
  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const pick = (f: File | null | undefined) => {
    setResult(null);
    setError(null);
    setFile(f ?? null);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  };
  const run = async () => {
    if (!file || !target) return;
    setBusy(true);
    setError(null);
    try {
      const metadata = metadataPayload(info.data?.fields ?? [], values);
      const query = new URLSearchParams({ target, ...(Object.keys(metadata).length ? { metadata: JSON.stringify(metadata) } : {}) });
      const type = file.type === "image/png" || file.type === "image/jpeg" ? file.type : "application/octet-stream";
      setResult(await readJson<Prediction>(await fetch(`/api/predict?${query}`, { method: "POST", headers: { "content-type": type }, body: file })));
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Try a model</h1>
          <p className="muted small">The daemon answers from the model&apos;s ONNX export; the image is decoded in memory and not kept.</p>
        </div>
      </div>
      <div className="try-grid">
        <section className="panel" aria-labelledby="try-input">
          <h2 id="try-input" className="section-head">Model and image</h2>
          <label className="try-label" htmlFor="try-target">Model</label>
          {runs.isError ? (
            <p className="mono small" role="alert">{runs.error.message}</p>
          ) : (
            <select id="try-target" data-testid="try-target" value={choices.some((r) => r.id === target) ? target : ""} onChange={(e) => setTarget(e.target.value)}>
              <option value="" disabled>{runs.isPending ? "Loading runs…" : choices.length ? "Choose a run" : "No completed run yet"}</option>
              {choices.map((r) => (
                <option key={r.id} value={r.id}>{r.name} · {r.id} (best {r.best?.name})</option>
              ))}
            </select>
          )}
          <form className="try-typed" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) setTarget(typed.trim()); }}>
            <input aria-label="Model reference" data-testid="try-typed-target" placeholder="or RUN:CHECKPOINT, MODEL@VERSION, MODEL@ALIAS" value={typed} onChange={(e) => setTyped(e.target.value)} />
            <button type="submit" className="button">Use</button>
          </form>
          {info.isError && <p className="try-error small" role="alert" data-testid="try-target-error">{(info.error as Error).message}</p>}
          {info.data && (
            <p className="muted small" data-testid="try-target-info">
              {info.data.ref}: {info.data.task}, {info.data.classes.length} {info.data.classes.length === 1 ? "class" : "classes"}, {info.data.imageSize} px
            </p>
          )}

          <label className="try-label" htmlFor="try-file">Image (PNG or JPEG)</label>
          <div
            className={`try-drop${dragging ? " try-drop-active" : ""}`}
            data-testid="try-drop"
            onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            {preview && !result ? <img src={preview} alt="The uploaded image" className="try-preview" data-testid="try-preview" /> : <p className="muted small">Drop an image here, or choose one:</p>}
            <input id="try-file" data-testid="try-file" type="file" accept="image/png,image/jpeg" onChange={(e) => pick(e.target.files?.[0])} />
          </div>

          {info.data && info.data.fields.length > 0 && (
            <fieldset className="try-fields" data-testid="try-fields">
              <legend>Metadata <span className="muted small">(leave empty for unknown)</span></legend>
              {info.data.fields.map((f) => <MetadataField key={f.name} field={f} value={values[f.name]} onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))} />)}
            </fieldset>
          )}
          <div className="form-actions">
            <button type="button" className="button button-primary" data-testid="try-predict" disabled={!file || !target || busy || info.isError} onClick={() => void run()}>
              {busy ? "Predicting…" : "Predict"}
            </button>
          </div>
        </section>

        <section className="panel" aria-labelledby="try-output" aria-live="polite">
          <h2 id="try-output" className="section-head">Result</h2>
          {error ? (
            <StatePanel kind="error" title="The daemon refused the prediction"><p className="mono small" data-testid="try-error">{error}</p></StatePanel>
          ) : busy ? (
            <StatePanel kind="loading" title="Predicting…" />
          ) : result ? (
            <PredictionResult result={result} preview={preview} />
          ) : (
            <StatePanel kind="empty" title="No prediction yet">
              <p>Choose a model and an image, then Predict. From a shell: <code>trainyard predict RUN IMAGE</code>. Completed runs are listed; train one on the <Link href="/runs/new">new-run form</Link>.</p>
            </StatePanel>
          )}
        </section>
      </div>
    </>
  );
}

function MetadataField({ field, value, onChange }: { field: PredictionField; value: string | string[] | undefined; onChange: (v: string | string[]) => void }) {
  const id = `try-field-${field.name}`;
  if (field.kind === "multiselect") {
    const ticked = Array.isArray(value) ? value : [];
    return (
      <div className="try-field" data-testid={id}>
        <span className="try-label">{field.name}</span>
        <div className="try-checks">
          {(field.choices ?? []).map((o) => (
            <label key={o} className="small">
              <input type="checkbox" checked={ticked.includes(o)} onChange={(e) => onChange(e.target.checked ? [...ticked, o] : ticked.filter((t) => t !== o))} /> {o}
            </label>
          ))}
        </div>
      </div>
    );
  }
  const text = typeof value === "string" ? value : "";
  return (
    <div className="try-field">
      <label className="try-label" htmlFor={id}>{field.name} <span className="muted small">{field.kind}</span></label>
      {field.kind === "continuous" ? (
        <input id={id} data-testid={id} inputMode="decimal" value={text} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <select id={id} data-testid={id} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">unknown</option>
          {(field.kind === "boolean" ? ["true", "false"] : field.choices ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      )}
    </div>
  );
}

function PredictionResult({ result, preview }: { result: Prediction; preview: string | null }) {
  const r = result.result;
  const foot = (
    <p className="muted small" data-testid="try-timing">
      {result.target.ref} · {result.image.width}×{result.image.height} {result.image.format.toUpperCase()} · {result.ms.total.toFixed(0)} ms
      {result.missing.length > 0 && <> · unknown: {result.missing.join(", ")}</>}
    </p>
  );
  if (r.kind === "probabilities" || r.kind === "risks") {
    const bars = r.kind === "probabilities" ? probabilityBars(r).map((b) => ({ key: b.label, label: b.label, value: b.probability })) : r.risks.map((y) => ({ key: String(y.year), label: `year ${y.year}`, value: y.risk }));
    return (
      <>
        <ul className="try-bars" data-testid="try-bars">
          {bars.map((b) => (
            <li key={b.key} data-testid="try-bar" data-label={b.label} data-value={b.value}>
              <span className="try-bar-label">{b.label}</span>
              <span className="try-bar-track"><span className="try-bar-fill" style={{ width: `${Math.max(0, Math.min(1, b.value)) * 100}%` }} /></span>
              <span className="try-bar-value mono">{percent(b.value)}</span>
            </li>
          ))}
        </ul>
        {foot}
      </>
    );
  }
  const source: [number, number] = [result.image.width, result.image.height];
  const shown = fitSize(source, 560, 480);
  const colors = classColors(result.target.classes);
  return (
    <>
      <div className="try-boxes" style={{ width: shown.width, height: shown.height }} data-testid="try-boxes">
        {preview && <img src={preview} alt="The uploaded image with the model's findings" width={shown.width} height={shown.height} />}
        <svg width={shown.width} height={shown.height} viewBox={`0 0 ${shown.width} ${shown.height}`} aria-hidden="true">
          {r.boxes.map((b, i) => {
            const p = placeBox(b.box, source, shown);
            const color = colors.get(b.label) ?? "#f43f5e";
            return (
              <g key={i} data-testid="try-box" data-label={b.label}>
                <rect x={p.x} y={p.y} width={p.w} height={p.h} fill="none" stroke={color} strokeWidth={2} />
                <text x={p.x + 3} y={Math.max(11, p.y - 3)} fill={color} fontSize={11}>{boxLabel(b.label, b.score)}</text>
              </g>
            );
          })}
        </svg>
      </div>
      {r.boxes.length === 0 ? (
        <p className="try-no-findings" data-testid="try-no-findings">No findings <span className="muted small">(no box scores {r.threshold} or more)</span></p>
      ) : (
        <ul className="small try-box-list">
          {r.boxes.map((b, i) => <li key={i}>{boxLabel(b.label, b.score)} <span className="muted mono">[{b.box.map((v) => v.toFixed(0)).join(", ")}]</span></li>)}
        </ul>
      )}
      {foot}
    </>
  );
}
