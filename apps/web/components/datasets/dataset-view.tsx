"use client";
// One dataset: its import report, and a preview playground (tick diagnoses, move the "other" ratio; for
// a dataset with boxes, also as detection: box classes, no-findings images kept, no "other"); a risk
// dataset without diagnoses has no label set to preview, only its report (follow-up, events, views).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC } from "../../lib/trpc.ts";
import { StatePanel } from "../state-panel.tsx";
import { DatasetPreview } from "./dataset-preview.tsx";
import { DiagnosisPicker } from "./diagnosis-picker.tsx";
import { ImportReport } from "./import-report.tsx";
import "./datasets.css";

export function DatasetView({ name }: { name: string }) {
  const trpc = useTRPC();
  const ids = { ratio: useId(), other: useId(), split: useId(), detection: useId() };
  const d = useQuery(trpc.datasets.get.queryOptions({ name }));
  const [labels, setLabels] = useState<string[]>([]);
  const [otherClass, setOtherClass] = useState(true);
  const [ratio, setRatio] = useState(0.1);
  const [bySplitColumn, setBySplitColumn] = useState(false);
  const [asDetection, setAsDetection] = useState(false);
  if (d.isPending) return <StatePanel kind="loading" title={`Loading ${name}…`} />;
  if (d.isError) return <StatePanel kind="error" title={`Could not load ${name}`}>{d.error.message}</StatePanel>;
  const ds = d.data;
  const boxes = ds.report.boxes ?? null;
  const detection = Boolean(boxes) && asDetection;
  const survivalOnly = Boolean(ds.report.survival) && Object.keys(ds.diagnoses).length === 0;
  const boxClasses = boxes ? Object.fromEntries(boxes.classes.filter((c) => boxes.perClass[c] > 0).map((c) => [c, boxes.imagesPerClass[c]])) : {};
  return (
    <>
      <p className="crumbs"><Link href="/datasets">Datasets</Link> / {ds.name}</p>
      <div className="page-head">
        <h1>{ds.name}</h1>
        {!survivalOnly && <div className="page-actions"><Link className="button" href={`/labels?dataset=${encodeURIComponent(ds.name)}`}>Save a label set</Link></div>}
      </div>
      <p className="muted small">{ds.manifestPath} · images in {ds.imagesDir}</p>
      {!survivalOnly && (
        <section className="panel">
          <h2>Preview</h2>
          <div className="ds-grid">
            <div>
              <div className="ds-controls">
                {boxes && (
                  <label htmlFor={ids.detection}><input id={ids.detection} type="checkbox" checked={asDetection} onChange={(e) => (setAsDetection(e.target.checked), setLabels([]))} data-testid="preview-detection" /> as detection (box classes)</label>
                )}
                {!detection && (
                  <>
                    <label htmlFor={ids.other}><input id={ids.other} type="checkbox" checked={otherClass} onChange={(e) => setOtherClass(e.target.checked)} /> “other” class</label>
                    <label htmlFor={ids.ratio}>other ratio <output data-testid="ratio-value">{ratio.toFixed(2)}</output></label>
                    <input id={ids.ratio} type="range" min={0} max={1} step={0.05} value={ratio} disabled={!otherClass} onChange={(e) => setRatio(Number(e.target.value))} aria-label="other ratio" />
                  </>
                )}
                {ds.hasSplitColumn && (
                  <label htmlFor={ids.split}><input id={ids.split} type="checkbox" checked={bySplitColumn} onChange={(e) => setBySplitColumn(e.target.checked)} /> the manifest’s split</label>
                )}
              </div>
              <DiagnosisPicker diagnoses={detection ? boxClasses : ds.diagnoses} selected={labels} onChange={setLabels} />
            </div>
            <DatasetPreview dataset={ds.name} labels={labels} otherClass={detection ? false : otherClass} otherRatio={ratio} split={{ by: bySplitColumn ? "column" : "patient" }} task={detection ? "detection" : undefined} />
          </div>
        </section>
      )}
      <section className="panel" style={{ marginTop: 12 }}>
        <h2>Import report</h2>
        <ImportReport report={ds.report} />
      </section>
    </>
  );
}
