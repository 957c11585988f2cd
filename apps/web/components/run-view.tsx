"use client";

import Link from "next/link";
import { useRunLive } from "../hooks/use-run-live.ts";
import { lastStep } from "../lib/series.ts";
import { isActive } from "../lib/run-progress.ts";
import { taskOf } from "../lib/chart-panels.ts";
import { curvesHeading } from "../lib/curve-kinds.ts";
import { TASK_DECLARATIONS } from "@trainyard/protocol/tasks";
import { ClassApTable } from "./class-ap-table.tsx";
import { CurvesPanel, TestResults } from "./curves-panel.tsx";
import { PredictionGallery } from "./prediction-gallery.tsx";
import { RiskHeadline } from "./risk-headline.tsx";
import { RunCharts } from "./run-charts.tsx";
import { bestCheckpoint, CheckpointList } from "./checkpoint-list.tsx";
import { LogTail } from "./log-tail.tsx";
import { RunHeader } from "./run-header.tsx";
import { StatePanel } from "./state-panel.tsx";
import { LoadError } from "./load-error.tsx";
import { EvaluationsPanel } from "./evaluations-panel.tsx";
import { RunClassDecisions } from "./run-class-decisions.tsx";

/** What the curves panel says before an evaluation has printed any (undefined: its own default). */
const CURVES_EMPTY: Record<"classification" | "detection" | "risk", string | undefined> = {
  classification: undefined,
  detection: "No PR curves yet: they are printed at each evaluation, one per class at IoU 0.5.",
  risk: "No AUC-by-year or calibration curves yet: they are printed at each evaluation.",
};

export function RunView({ id }: { id: string }) {
  const { detail, series, logs, live } = useRunLive(id);

  if (detail.isPending) return <StatePanel kind="loading" title="Loading run…" />;
  if (detail.isError) return <LoadError error={detail.error} noun="run" id={id} back={{ href: "/", label: "Back to the runs" }} />;

  const run = detail.data;
  const best = bestCheckpoint(run.checkpoints);
  const family = TASK_DECLARATIONS[taskOf(run.config)].family;
  const detection = family === "detection";
  const risk = family === "risk";
  // every pushed point moves this (a validation metric at the last train step included), so the charts re-read
  const liveTick = series.data ? `${lastStep(series.data)}|${Object.values(series.data).reduce((n, p) => n + p.length, 0)}` : null;

  return (
    <div className="run-page">
      <nav className="crumbs small" aria-label="Breadcrumb">
        <Link href="/">Runs</Link> <span aria-hidden="true">/</span> <span className="mono">{run.id}</span>
      </nav>
      <RunHeader run={run} live={live.status} />

      {run.status === "failed" && (
        <section className="failure" role="alert" data-testid="run-failure">
          <h2>Run failed</h2>
          {run.error && <p data-testid="run-error">{run.error}</p>}
          {(run.exitCode != null || run.signal) && (
            <p className="muted small mono">
              {run.exitCode != null && `exit code ${run.exitCode}`}
              {run.signal && ` · signal ${run.signal}`}
            </p>
          )}
          {run.stderrTail && (
            <pre className="stderr" data-testid="stderr-tail">
              {run.stderrTail}
            </pre>
          )}
        </section>
      )}

      <section aria-labelledby="charts-title">
        <div className="section-head">
          <h2 id="charts-title">Curves</h2>
        </div>
        <RunCharts id={run.id} name={run.name} config={run.config} liveTick={liveTick} running={isActive(run.status)} />
      </section>

      <div className="run-columns">
        <section className="panel" aria-labelledby="ckpt-title">
          <div className="section-head">
            <h2 id="ckpt-title">Checkpoints</h2>
            {best ? (
              <a className="button button-primary" href={best.downloadUrl} download data-testid="download-best">
                Download best checkpoint
              </a>
            ) : (
              <span className="muted small">best checkpoint not written yet</span>
            )}
          </div>
          <CheckpointList checkpoints={run.checkpoints} register={isActive(run.status) ? undefined : { runId: run.id, modelName: run.name }} />
        </section>

        <section className="panel" aria-labelledby="log-title">
          <div className="section-head">
            <h2 id="log-title">Log</h2>
          </div>
          {logs.isError ? <p className="text-error small">{logs.error.message}</p> : <LogTail lines={logs.data ?? []} />}
        </section>
      </div>

      {detection && (
        <section className="panel gallery-panel" aria-labelledby="gallery-title">
          <div className="section-head">
            <h2 id="gallery-title">Predictions on validation images</h2>
          </div>
          <PredictionGallery id={run.id} config={run.config} classes={run.classes} status={run.status} />
        </section>
      )}

      {detection && (
        <section className="panel class-ap-panel" aria-labelledby="class-ap-title">
          <div className="section-head">
            <h2 id="class-ap-title">Per-class AP</h2>
          </div>
          <ClassApTable id={run.id} status={run.status} epoch={run.epoch} />
        </section>
      )}

      <div className="run-columns">
        <section className="panel" aria-labelledby="curves-title">
          <div className="section-head">
            <h2 id="curves-title">{curvesHeading(family)}</h2>
          </div>
          <CurvesPanel id={run.id} epoch={run.epoch} status={run.status} classes={run.classes} emptyText={CURVES_EMPTY[family]} />
        </section>
        <section className="panel" aria-labelledby="test-title">
          <div className="section-head">
            <h2 id="test-title">{risk ? "C-index, AUC and test set" : "Test set"}</h2>
          </div>
          {risk && <RiskHeadline id={run.id} status={run.status} epoch={run.epoch} />}
          <TestResults id={run.id} status={run.status} headlineOnly={detection} />
        </section>
      </div>

      {family === "classification" && (
        <section className="panel" aria-labelledby="class-decisions-title">
          <div className="section-head">
            <h2 id="class-decisions-title">Per-class precision and recall</h2>
          </div>
          <RunClassDecisions id={run.id} status={run.status} epoch={run.epoch} classes={run.classes} />
        </section>
      )}

      <section className="panel" aria-labelledby="evaluations-title">
        <div className="section-head">
          <h2 id="evaluations-title">Evaluations</h2>
        </div>
        <EvaluationsPanel runId={run.id} dataset={run.dataset} checkpoints={run.checkpoints} classes={run.classes} />
      </section>

      <details className="panel config-block" data-testid="config-block">
        <summary>Config (YAML as submitted)</summary>
        <p>
          <Link href={`/runs/new?clone=${encodeURIComponent(run.id)}`} className="button" data-testid="clone-run">
            Clone into a new run
          </Link>
        </p>
        <pre className="yaml">{run.configYaml}</pre>
      </details>
    </div>
  );
}
