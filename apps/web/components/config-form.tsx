"use client";

import { useQuery } from "@tanstack/react-query";
import { BACKBONES, MISSING_VIEWS, OPTIMIZERS, PRECISIONS, VIEW_AGGREGATIONS } from "@trainyard/config";
import { getIn } from "../lib/config-doc.ts";
import { archLabel, archOptions, defaultArch, formSections, formTask, monitorFallback, TASK_OPTIONS, taskSwitchEdits } from "../lib/task-form.ts";
import { useTRPC } from "../lib/trpc.ts";
import { Field, type FieldContext } from "./config-field.tsx";
import { PhaseEditor } from "./phase-editor.tsx";
import { DatasetPreview, type DatasetPreviewProps } from "./datasets/dataset-preview.tsx";

/** The whole experiment config as grouped form fields over the same YAML the editor shows. */
export function ConfigForm({ ctx }: { ctx: FieldContext }) {
  const trpc = useTRPC();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const labelSets = useQuery(trpc.datasets.labelSets.queryOptions());
  const datasetName = String(getIn(ctx.value, ["dataset", "name"]) ?? "");
  const dataset = datasets.data?.find((d) => d.name === datasetName);
  const set = getIn(ctx.value, ["dataset", "labels", "set"]);
  const inline = Array.isArray(set) ? (set as string[]) : null;
  const named = typeof set === "string" ? labelSets.data?.find((l) => l.name === set) : undefined;
  const chosen = inline ?? named?.labels ?? [];
  const task = formTask(ctx.value);
  const show = formSections(task);
  const otherApplies = show.otherClass;
  const otherClass = otherApplies && getIn(ctx.value, ["dataset", "labels", "other_class"]) !== false;
  const monitor = monitorFallback(task);
  const otherRatio = Number(getIn(ctx.value, ["dataset", "labels", "other_ratio"]) ?? 0.1);
  const phases = (getIn(ctx.value, ["training", "phases"]) as Record<string, unknown>[] | undefined) ?? [];
  const diagnoses = Object.entries(dataset?.diagnoses ?? {}).sort((a, b) => b[1] - a[1]);
  const otherPool = diagnoses.filter(([d]) => !chosen.includes(d)).reduce((n, [, c]) => n + c, 0);

  return (
    <div data-testid="config-form">
      <fieldset className="form-section">
        <legend>Run</legend>
        <div className="fields">
          <Field ctx={ctx} path={["name"]} label="Name" kind={{ type: "text" }} />
          <div className="field">
            <label htmlFor="cfg-task">Task</label>
            <select id="cfg-task" data-field="training.task" data-testid="task-picker" value={task}
              onChange={(e) => { for (const [path, v] of taskSwitchEdits(ctx.value, e.target.value as typeof task)) ctx.set(path, v); }}>
              {TASK_OPTIONS.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
            {ctx.issues.get("training.task") && <span className="field-error" role="alert" data-testid="field-error" data-path="training.task">{ctx.issues.get("training.task")}</span>}
          </div>
          <div className="field">
            <label htmlFor="cfg-tags">Tags (comma separated)</label>
            <input id="cfg-tags" value={((getIn(ctx.value, ["tags"]) as string[] | undefined) ?? []).join(", ")} onChange={(e) => ctx.set(["tags"], e.target.value.split(",").map((s) => s.trim()).filter(Boolean))} />
          </div>
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{show.labelSet ? "Dataset and labels" : "Dataset"}</legend>
        <div className="fields">
          <div className="field">
            <label htmlFor="cfg-dataset">Dataset</label>
            <select id="cfg-dataset" value={datasetName} onChange={(e) => ctx.set(["dataset", "name"], e.target.value)} data-testid="dataset-picker">
              {!dataset && <option value={datasetName}>{datasetName || "— choose —"}</option>}
              {datasets.data?.map((d) => <option key={d.name} value={d.name}>{d.name} ({d.numSamples} images, {d.numGroups} patients)</option>)}
            </select>
          </div>
          <Field ctx={ctx} path={["dataset", "image_size"]} label="Image size (px)" kind={{ type: "number", step: 1, min: 16 }} fallback={224} />
          {show.labelSet && (
            <div className="field">
              <label htmlFor="cfg-labelset">Label set</label>
              <select id="cfg-labelset" value={inline ? "(inline)" : String(set ?? "")} data-testid="label-set-picker"
                onChange={(e) => ctx.set(["dataset", "labels", "set"], e.target.value === "(inline)" ? [...chosen] : e.target.value)}>
                {labelSets.data?.map((l) => <option key={l.name} value={l.name}>{l.name} ({l.labels.length})</option>)}
                <option value="all">all diagnoses</option>
                <option value="(inline)">pick diagnoses here…</option>
              </select>
            </div>
          )}
          {otherApplies && (
            <>
              <Field ctx={ctx} path={["dataset", "labels", "other_class"]} label="Other class" kind={{ type: "checkbox" }} fallback={true} />
              <div className="field">
                <label htmlFor="cfg-ratio">Other ratio: <span className="mono" data-testid="other-ratio-value">{otherRatio.toFixed(2)}</span></label>
                <input id="cfg-ratio" type="range" min={0} max={1} step={0.05} disabled={!otherClass} value={otherRatio} onChange={(e) => ctx.set(["dataset", "labels", "other_ratio"], Number(e.target.value))} data-testid="other-ratio" />
              </div>
            </>
          )}
        </div>
        {show.labelSet && inline && (
          <div className="label-picker" data-testid="label-picker" role="group" aria-label="Diagnoses in the label set">
            {diagnoses.map(([d, n]) => (
              <label key={d}>
                <input type="checkbox" checked={inline.includes(d)} onChange={(e) => ctx.set(["dataset", "labels", "set"], e.target.checked ? [...inline, d] : inline.filter((x) => x !== d))} />
                {d} <span className="muted">({n})</span>
              </label>
            ))}
          </div>
        )}
        {show.labelSet && (
          <div className="small" data-testid="label-preview" aria-live="polite">
            {chosen.length ? (
              <>
                <strong>{chosen.length} classes</strong>: {chosen.map((c) => `${c} (${dataset?.diagnoses[c] ?? "?"})`).join(", ")}
                {otherClass && <> · other ≈ <span data-testid="other-estimate">{Math.round(otherPool * otherRatio)}</span> of {otherPool} images</>}
              </>
            ) : (
              <span className="muted">Choose a label set to see its classes.</span>
            )}
          </div>
        )}
        {show.labelSet && dataset && (set !== undefined) && (
          <DatasetPreview
            dataset={datasetName}
            labels={inline ?? String(set)}
            otherClass={otherClass}
            otherRatio={otherRatio}
            split={getIn(ctx.value, ["dataset", "split"]) as DatasetPreviewProps["split"]}
            imageSize={Number(getIn(ctx.value, ["dataset", "image_size"]) ?? 224)}
          />
        )}
      </fieldset>

      <fieldset className="form-section">
        <legend>Phase schedule</legend>
        <PhaseEditor ctx={ctx} phases={phases} />
      </fieldset>

      <fieldset className="form-section">
        <legend>Model</legend>
        <div className="fields">
          <Field ctx={ctx} path={["model", "arch"]} label={archLabel(task)} kind={{ type: "select", options: archOptions(task) }} fallback={defaultArch(task)} />
          <Field ctx={ctx} path={["model", "backbone"]} label="Backbone" kind={{ type: "select", options: BACKBONES }} fallback="resnet50" />
          <Field ctx={ctx} path={["model", "pretrained"]} label="Pretrained" kind={{ type: "text" }} fallback="imagenet" />
          {show.imageHead && (
            <>
              <Field ctx={ctx} path={["model", "image_head"]} label="Image head" kind={{ type: "number", step: 1 }} fallback={256} />
              <Field ctx={ctx} path={["model", "fusion"]} label="Fusion width" kind={{ type: "number", step: 1 }} fallback={64} />
              <Field ctx={ctx} path={["model", "metadata", "enabled"]} label="Metadata branch" kind={{ type: "checkbox" }} fallback={true} />
            </>
          )}
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>Training</legend>
        <div className="fields">
          <Field ctx={ctx} path={["training", "batch_size"]} label="Batch size" kind={{ type: "number", step: 1, min: 1 }} fallback={64} />
          <Field ctx={ctx} path={["training", "precision"]} label="Precision" kind={{ type: "select", options: PRECISIONS }} fallback="bf16" />
          <Field ctx={ctx} path={["training", "optimizer", "name"]} label="Optimiser" kind={{ type: "select", options: OPTIMIZERS }} fallback="adamw" />
          <Field ctx={ctx} path={["training", "optimizer", "weight_decay"]} label="Weight decay" kind={{ type: "number" }} fallback={1e-4} />
          <Field ctx={ctx} path={["training", "early_stopping", "enabled"]} label="Early stopping" kind={{ type: "checkbox" }} fallback={true} />
          <Field ctx={ctx} path={["training", "early_stopping", "monitor"]} label="Stop on" kind={{ type: "text" }} fallback={monitor} />
          <Field ctx={ctx} path={["training", "early_stopping", "patience"]} label="Patience (epochs)" kind={{ type: "number", step: 1 }} fallback={5} />
          <Field ctx={ctx} path={["training", "checkpoint", "monitor"]} label="Checkpoint on" kind={{ type: "text" }} fallback={monitor} />
          <Field ctx={ctx} path={["training", "checkpoint", "top_k"]} label="Keep best k" kind={{ type: "number", step: 1 }} fallback={1} />
          <Field ctx={ctx} path={["training", "checkpoint", "every_n_epochs"]} label="Every n epochs" kind={{ type: "number", step: 1 }} fallback={10} />
          <Field ctx={ctx} path={["training", "checkpoint", "last"]} label="Keep last" kind={{ type: "checkbox" }} fallback={true} />
        </div>
      </fieldset>

      {show.risk && (
        <fieldset className="form-section" data-testid="risk-fields">
          <legend>Risk</legend>
          <div className="fields">
            <Field ctx={ctx} path={["model", "risk", "aggregation"]} label="Views combined by" kind={{ type: "select", options: VIEW_AGGREGATIONS }} fallback="attention" />
            <Field ctx={ctx} path={["training", "risk", "max_followup"]} label="Years predicted (max follow-up)" kind={{ type: "number", step: 1, min: 1, max: 20 }} fallback={5} />
            <Field ctx={ctx} path={["training", "risk", "missing_views"]} label="Exam missing a view" kind={{ type: "select", options: MISSING_VIEWS }} fallback="drop" />
          </div>
        </fieldset>
      )}

      {show.detection && (
        <fieldset className="form-section" data-testid="detection-fields">
          <legend>Detection</legend>
          <div className="fields">
            <Field ctx={ctx} path={["training", "detection", "score_threshold"]} label="Score threshold" kind={{ type: "number", step: 0.05, min: 0, max: 1 }} fallback={0.25} />
            <Field ctx={ctx} path={["training", "detection", "max_detections"]} label="Max detections per image" kind={{ type: "number", step: 1, min: 1 }} fallback={100} />
            <Field ctx={ctx} path={["training", "detection", "sample_images"]} label="Gallery images per evaluation" kind={{ type: "number", step: 1, min: 0 }} fallback={8} />
          </div>
        </fieldset>
      )}

      <fieldset className="form-section">
        <legend>Augmentation and resources</legend>
        <div className="fields">
          <Field ctx={ctx} path={["augment", "hflip"]} label="H-flip p" kind={{ type: "number", step: 0.05, min: 0, max: 1 }} fallback={0.5} />
          <Field ctx={ctx} path={["augment", "vflip"]} label="V-flip p" kind={{ type: "number", step: 0.05, min: 0, max: 1 }} fallback={0.2} />
          <Field ctx={ctx} path={["augment", "rotate"]} label="Rotate (°)" kind={{ type: "number", step: 1 }} fallback={15} />
          <Field ctx={ctx} path={["augment", "color_jitter"]} label="Colour jitter" kind={{ type: "number", step: 0.05 }} fallback={0.2} />
          <Field ctx={ctx} path={["resources", "gpus"]} label="GPUs" kind={{ type: "number", step: 1, min: 0 }} fallback={1} />
          <Field ctx={ctx} path={["resources", "priority"]} label="Priority" kind={{ type: "number", step: 1, min: 0 }} fallback={50} />
        </div>
      </fieldset>
    </div>
  );
}
