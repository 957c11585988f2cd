"use client";
// Import a dataset from the browser: paths and columns (and, for detection, a boxes file with its
// format and columns; for risk, the follow-up, event and view columns), then review (and edit) the inferred feature schema, then the background import
// with its progress, then the report.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC, type RouterInputs, type RouterOutputs } from "../../lib/trpc.ts";
import { ProgressBar } from "../progress-bar.tsx";
import { ImportReport } from "./import-report.tsx";
import "./datasets.css";

type Inspect = RouterOutputs["datasets"]["inspect"];
type Feature = Inspect["schema"]["features"][number];
const KINDS = ["continuous", "categorical", "boolean", "multiselect"] as const;

const FIELDS = [
  ["name", "Dataset name", "letters, digits, . _ -"],
  ["manifest", "Manifest (CSV or Parquet)", "/data/lab/manifest.csv"],
  ["images", "Image folder", "/data/lab/images"],
  ["imageCol", "Image column", "guessed when empty"],
  ["groupCol", "Patient / group column", "guessed when empty"],
  ["labelCol", "Diagnosis column", "guessed when empty"],
  ["splitCol", "Split column (optional)", "use the manifest's split"],
  ["caseCol", "Case column (optional)", "images of a case share diagnoses"],
  ["delimiter", "CSV delimiter", ","],
  ["labelDelimiter", "Diagnoses separator", "|"],
] as const;
type FieldName = (typeof FIELDS)[number][0];

// Boxes for detection: a table of rows, a COCO JSON file or a folder of YOLO .txt files
const BOX_FIELDS = [
  ["boxes", "Boxes (optional: CSV, COCO JSON or YOLO folder)", "/data/lab/boxes.csv — for detection"],
  ["boxImageCol", "Box image column", "image, image_id, file_name, …"],
  ["boxCoords", "Box coordinate columns", "x_min,y_min,x_max,y_max"],
  ["boxLabelCol", "Box class column", "label, class, dx, …"],
  ["boxNames", "YOLO class names file", "classes.txt or data.yaml in the folder"],
] as const;
type BoxFieldName = (typeof BOX_FIELDS)[number][0];
// Follow-up targets for risk: per case (exam) a follow-up in years and an event flag; the view of each image
const FOLLOWUP_FIELDS = [
  ["timeCol", "Follow-up column (years), or START,END dates", "followup_years — or exam_date,last_contact"],
  ["eventCol", "Event column (1 event, 0 censored)", "cancer, event, …"],
  ["viewCol", "View column (needs the case column)", "view: L-CC, L-MLO, R-CC, R-MLO"],
] as const;
type FollowupFieldName = (typeof FOLLOWUP_FIELDS)[number][0];
const BOX_FORMATS = [["", "from the path"], ["csv", "CSV / TSV / Parquet rows"], ["coco", "COCO JSON"], ["yolo", "YOLO folder"]] as const;

export function DatasetImportForm() {
  const trpc = useTRPC();
  const idBase = useId();
  const [form, setForm] = useState<Record<FieldName, string>>({ name: "", manifest: "", images: "", imageCol: "", groupCol: "", labelCol: "", splitCol: "", caseCol: "", delimiter: "", labelDelimiter: "" });
  const [fit, setFit] = useState<"" | "crop" | "pad">("");
  const [followup, setFollowup] = useState<Record<FollowupFieldName, string>>({ timeCol: "", eventCol: "", viewCol: "" });
  const [box, setBox] = useState<Record<BoxFieldName, string>>({ boxes: "", boxImageCol: "", boxCoords: "", boxLabelCol: "", boxNames: "" });
  const [boxFormat, setBoxFormat] = useState<"" | "csv" | "coco" | "yolo">("");
  const [features, setFeatures] = useState<(Feature & { include: boolean })[] | null>(null);
  const [inspected, setInspected] = useState<Inspect | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);
  const hasBoxes = Boolean(box.boxes.trim());
  const hasFollowup = Boolean(followup.timeCol.trim() || followup.eventCol.trim());
  const manifestInput = {
    manifest: form.manifest.trim(), images: opt(form.images), delimiter: opt(form.delimiter), imageCol: opt(form.imageCol), groupCol: opt(form.groupCol),
    labelCol: opt(form.labelCol), splitCol: opt(form.splitCol), caseCol: opt(form.caseCol), labelDelimiter: opt(form.labelDelimiter),
    timeCol: opt(followup.timeCol), eventCol: opt(followup.eventCol), viewCol: opt(followup.viewCol),
    labelsFromBoxes: hasBoxes || undefined,
  } satisfies RouterInputs["datasets"]["inspect"];
  const coords = box.boxCoords.split(",").map((c) => c.trim()).filter(Boolean);
  const coordsError = box.boxCoords.trim() && coords.length !== 4 ? "four column names, comma-separated: x_min,y_min,x_max,y_max" : null;
  const boxesInput: RouterInputs["datasets"]["import"]["boxes"] = hasBoxes
    ? {
        path: box.boxes.trim(), format: boxFormat || undefined, imageCol: opt(box.boxImageCol), labelCol: opt(box.boxLabelCol), names: opt(box.boxNames),
        coords: coords.length === 4 ? (coords as [string, string, string, string]) : undefined,
      }
    : undefined;

  const queryClient = useQueryClient();
  // reading a manifest is a query, but it runs when asked (the button), not on every keystroke
  const inspect = useMutation({
    mutationFn: () => queryClient.fetchQuery(trpc.datasets.inspect.queryOptions(manifestInput, { staleTime: 0 })),
    onSuccess: (r) => {
      setInspected(r);
      const byName = new Map(r.schema.features.map((f) => [f.name, f]));
      setFeatures(r.schemaColumns.map((c) => ({ ...(byName.get(c.name) ?? { name: c.name, kind: "categorical" as const }), include: c.skipped === null })));
    },
  });
  const start = useMutation(trpc.datasets.import.mutationOptions({ onSuccess: (job) => setJobId(job.id) }));
  const job = useQuery(trpc.datasets.importJob.queryOptions({ id: jobId ?? "" }, { enabled: Boolean(jobId), refetchInterval: (q) => (q.state.data?.status === "running" ? 300 : false) }));

  const set = (k: FieldName, v: string) => {
    setForm({ ...form, [k]: v });
    setInspected(null);
    setFeatures(null);
  };
  const setBoxField = (k: BoxFieldName, v: string) => {
    setBox({ ...box, [k]: v });
    if (k === "boxes") {
      // whether the diagnoses come from the boxes changes the schema to review
      setInspected(null);
      setFeatures(null);
    }
  };
  const setFollowupField = (k: FollowupFieldName, v: string) => {
    setFollowup({ ...followup, [k]: v });
    // the target columns leave the metadata schema to review
    setInspected(null);
    setFeatures(null);
  };
  function submit() {
    const schema = { version: 1, features: (features ?? []).filter((f) => f.include).map(({ include: _include, ...f }) => ({ name: f.name, kind: f.kind, ...(f.kind === "categorical" && f.categories ? { categories: f.categories } : {}), ...(f.kind === "multiselect" ? { options: f.options, delimiter: f.delimiter } : {}) })) };
    const { labelsFromBoxes: _fromBoxes, ...manifest } = manifestInput;
    // a dataset with boxes is letterboxed: a crop would cut the boxes at the edges off
    start.mutate({ ...manifest, name: form.name.trim(), images: form.images.trim(), schema, fit: hasBoxes ? "pad" : fit || undefined, boxes: boxesInput, imageCheck: "decode", replace: false });
  }
  const j = job.data;
  const dim = (features ?? []).filter((f) => f.include).reduce((n, f) => n + (f.kind === "continuous" || f.kind === "boolean" ? 2 : f.kind === "categorical" ? (f.categories?.length ?? 0) + 1 : (f.options?.length ?? 0)), 0);

  return (
    <>
      <p className="crumbs"><Link href="/datasets">Datasets</Link> / import</p>
      <h1>Import a dataset</h1>
      <form className="ds-form" onSubmit={(e) => { e.preventDefault(); inspect.mutate(); }}>
        {FIELDS.map(([k, label, hint]) => (
          <div key={k} style={{ display: "contents" }}>
            <label htmlFor={`${idBase}-${k}`}>{label}</label>
            <input id={`${idBase}-${k}`} type="text" name={k} value={form[k]} placeholder={hint} onChange={(e) => set(k, e.target.value)} />
          </div>
        ))}
        <fieldset className="ds-boxes" data-testid="boxes-fields">
          <legend>Detection: boxes per image</legend>
          {BOX_FIELDS.map(([k, label, hint]) => (
            <div key={k} style={{ display: "contents" }}>
              <label htmlFor={`${idBase}-${k}`}>{label}</label>
              <input id={`${idBase}-${k}`} type="text" name={k} value={box[k]} placeholder={hint} disabled={k !== "boxes" && !hasBoxes} onChange={(e) => setBoxField(k, e.target.value)} />
            </div>
          ))}
          <label htmlFor={`${idBase}-boxFormat`}>Box format</label>
          <select id={`${idBase}-boxFormat`} value={boxFormat} disabled={!hasBoxes} onChange={(e) => setBoxFormat(e.target.value as typeof boxFormat)}>
            {BOX_FORMATS.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
          </select>
          {coordsError && <p className="text-error small" role="alert" style={{ gridColumn: "2" }}>{coordsError}</p>}
          {hasBoxes && <p className="muted small" style={{ gridColumn: "1 / -1", margin: 0 }}>Coordinates in pixels of the image as displayed. Without a diagnosis column, each image’s diagnoses are the classes of its boxes; an image without boxes is a “no findings” image.</p>}
        </fieldset>
        <fieldset className="ds-boxes" data-testid="followup-fields">
          <legend>Risk: follow-up per case</legend>
          {FOLLOWUP_FIELDS.map(([k, label, hint]) => (
            <div key={k} style={{ display: "contents" }}>
              <label htmlFor={`${idBase}-${k}`}>{label}</label>
              <input id={`${idBase}-${k}`} type="text" name={k} value={followup[k]} placeholder={hint} onChange={(e) => setFollowupField(k, e.target.value)} />
            </div>
          ))}
          {hasFollowup && <p className="muted small" style={{ gridColumn: "1 / -1", margin: 0 }}>The images of a case (the case column) are its views and share its follow-up and event. Such a dataset trains with training.task risk and is cached with padding unless you choose a crop.</p>}
        </fieldset>
        <label htmlFor={`${idBase}-fit`}>Square images by</label>
        <select id={`${idBase}-fit`} value={hasBoxes ? "pad" : fit} disabled={hasBoxes} onChange={(e) => setFit(e.target.value as "" | "crop" | "pad")}>
          <option value="">{hasFollowup ? "padding (the default with follow-up)" : "centre crop (the default)"}</option>
          <option value="crop">centre crop</option>
          <option value="pad">padding (whole image{hasBoxes ? "; required with boxes" : ""})</option>
        </select>
        <span />
        <div><button className="button" type="submit" disabled={!form.manifest.trim() || inspect.isPending}>{inspect.isPending ? "Reading…" : "Read manifest"}</button></div>
      </form>
      {inspect.isError && <p className="text-error" role="alert" data-testid="inspect-error">{inspect.error.message}</p>}
      {inspected && features && (
        <section className="panel" style={{ marginTop: 12 }} data-testid="schema-review">
          <h2>Review the feature schema</h2>
          <p className="muted">
            {inspected.format.toUpperCase()}, {inspected.rows} rows → {inspected.images} images. Image column “{inspected.columns.image}”{inspected.imageExt ? ` (+${inspected.imageExt})` : ""}, group “{inspected.columns.group}”,
            diagnosis {inspected.columns.label ? `“${inspected.columns.label}”` : "from the box classes"}. Metadata dimension: <strong data-testid="schema-dim">{dim}</strong>.
          </p>
          <table className="ds-table">
            <thead><tr><th scope="col">use</th><th scope="col">column</th><th scope="col">kind</th><th scope="col">values</th></tr></thead>
            <tbody>
              {features.map((f, i) => (
                <tr key={f.name}>
                  <td><input type="checkbox" aria-label={`use ${f.name}`} checked={f.include} onChange={(e) => setFeatures(features.map((x, k) => (k === i ? { ...x, include: e.target.checked } : x)))} /></td>
                  <td>{f.name}{!f.include && inspected.schemaColumns[i]?.skipped ? <span className="muted small"> ({inspected.schemaColumns[i].skipped})</span> : null}</td>
                  <td>
                    <select aria-label={`kind of ${f.name}`} value={f.kind} onChange={(e) => setFeatures(features.map((x, k) => (k === i ? { ...x, kind: e.target.value as Feature["kind"], categories: undefined, options: undefined } : x)))}>
                      {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
                    </select>
                  </td>
                  <td className="small muted">{f.categories ? f.categories.slice(0, 8).join(", ") + (f.categories.length > 8 ? ", …" : "") : f.options ? f.options.join(", ") : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions" style={{ marginTop: 8 }}>
            <button className="button button-primary" type="button" onClick={submit} disabled={!form.name.trim() || !form.images.trim() || Boolean(coordsError) || start.isPending || j?.status === "running"}>Import</button>
          </div>
          {start.isError && <p className="text-error" role="alert">{start.error.message}</p>}
        </section>
      )}
      {j && (
        <section className="panel" style={{ marginTop: 12 }} aria-live="polite" data-testid="import-job">
          {j.status === "running" && (
            <>
              <p>Importing {j.dataset}: {j.phase ?? "starting"} {j.total > 1 ? `${j.done}/${j.total}` : ""}</p>
              <ProgressBar value={j.total ? j.done / j.total : 0} label="import progress" />
            </>
          )}
          {j.status === "failed" && <p className="text-error" role="alert" data-testid="import-failed">Import failed: {j.error}</p>}
          {j.status === "completed" && j.report && (
            <>
              <p className="text-ok" data-testid="import-done">Imported <Link href={`/datasets/${encodeURIComponent(j.dataset)}`}>{j.dataset}</Link>.</p>
              <ImportReport report={j.report} />
            </>
          )}
        </section>
      )}
    </>
  );
}
