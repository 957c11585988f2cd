"use client";
// Live preview of what a run would train on: per-class counts in each split and the final sample
// counts, for a dataset + labels + other-class settings + split. Embeddable (the new-run form uses it).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterInputs } from "../../lib/trpc.ts";
import { useDebouncedValue } from "../../hooks/use-debounced-value.ts";
import "./datasets.css";

type PreviewInput = RouterInputs["datasets"]["preview"];

export interface DatasetPreviewProps {
  /** Registered dataset name. */
  dataset: string;
  /** A registered label-set name, "all", or the list of diagnoses (dataset spelling or any case). */
  labels: string | string[];
  otherClass?: boolean;
  otherRatio?: number;
  /** With otherClass false: drop samples without a selected diagnosis, or keep them as all-zero. */
  unlabeled?: "drop" | "keep";
  split?: { by?: "patient" | "column"; train?: number; val?: number; test?: number; seed?: number; stratified?: boolean };
  subsampleFraction?: number;
  /** The run's image size: when its cache is built, unreadable images are left out exactly as the run will. */
  imageSize?: number;
  /** training.task: detection counts box classes, keeps no-findings images and has no "other" class. */
  task?: PreviewInput["task"];
}

const SPLITS = ["train", "val", "test"] as const;

export function DatasetPreview(props: DatasetPreviewProps) {
  const trpc = useTRPC();
  const input: PreviewInput = {
    dataset: props.dataset,
    labels: props.labels,
    otherClass: props.otherClass ?? true,
    otherRatio: props.otherRatio ?? 0.1,
    unlabeled: props.unlabeled ?? "drop",
    split: { by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true, ...props.split },
    subsampleFraction: props.subsampleFraction,
    imageSize: props.imageSize,
    ...(props.task ? { task: props.task } : {}),
  };
  const debounced = useDebouncedValue(JSON.stringify(input), 120);
  const empty = Array.isArray(props.labels) && props.labels.length === 0;
  const q = useQuery(trpc.datasets.preview.queryOptions(JSON.parse(debounced) as PreviewInput, { enabled: Boolean(props.dataset) && !empty, placeholderData: keepPreviousData, retry: false, staleTime: 60_000 }));

  if (empty) return <p className="muted" data-testid="preview-empty">Tick at least one diagnosis to see the counts.</p>;
  if (q.isError) return <p className="text-error" role="alert" data-testid="preview-error">{q.error.message}</p>;
  if (!q.data) return <p className="muted">Counting…</p>;
  const p = q.data;
  const stale = q.isPlaceholderData || debounced !== JSON.stringify(input);
  return (
    <section className={stale ? "ds-stale" : undefined} aria-busy={stale} data-testid="dataset-preview">
      <table className="ds-table">
        <caption className="sr-only">Samples per class and split</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            {SPLITS.map((s) => <th key={s} scope="col" className="num">{s}</th>)}
            <th scope="col" className="num">total</th>
          </tr>
        </thead>
        <tbody>
          {p.classes.map((c) => (
            <tr key={c} data-testid={`preview-class-${c}`}>
              <th scope="row">{c}</th>
              {SPLITS.map((s) => <td key={s} className="num">{p.counts[s].perClass[c]}</td>)}
              <td className="num">{SPLITS.reduce((n, s) => n + p.counts[s].perClass[c], 0)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">samples</th>
            {SPLITS.map((s) => <td key={s} className="num" data-testid={`preview-total-${s}`}>{p.counts[s].total}</td>)}
            <td className="num" data-testid="preview-total">{p.total}</td>
          </tr>
          <tr className="muted">
            <th scope="row">patients</th>
            {SPLITS.map((s) => <td key={s} className="num">{p.groups[s]}</td>)}
            <td />
          </tr>
        </tbody>
      </table>
      <p className="small muted">
        Left out: {p.dropped.unusable} unusable images, {p.dropped.unlabeled} without a selected label, {p.dropped.otherDownsampled} “other”
        downsampled{p.dropped.subsample ? `, ${p.dropped.subsample} by subsampling` : ""}.
        {p.otherMakeup.length > 0 && <> “Other” in train: {p.otherMakeup.map((o) => `${o.diagnosis} ${o.count}`).join(", ")}.</>}
        {" "}({p.ms} ms{p.usableFrom === "cache" ? ", image cache" : ""})
      </p>
    </section>
  );
}
