"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TRPCSubscriptionStatus } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { taskOf } from "../lib/chart-panels.ts";
import { formatDuration, formatMetric, isActive, progressFraction, runDurationMs } from "../lib/run-progress.ts";
import { usesLabelSet } from "../lib/task-form.ts";
import { useTRPC, type RunDetail } from "../lib/trpc.ts";
import { useNow } from "../hooks/use-now.ts";
import { LiveIndicator } from "./live-indicator.tsx";
import { ProgressBar } from "./progress-bar.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { RESUMABLE_STATES } from "@trainyard/protocol/run-states";

export function RunHeader({ run, live }: { run: RunDetail; live: TRPCSubscriptionStatus }) {
  const now = useNow(1000, isActive(run.status));
  const fraction = progressFraction(run);
  // a risk run's target is follow-up and event: its label set and single "event" class say nothing
  const labels = usesLabelSet(taskOf(run.config));
  return (
    <header className="run-header" data-testid="run-header">
      <div className="run-title">
        <div>
          <h1 data-testid="run-name">{run.name}</h1>
          <p className="muted small mono">
            {run.id} · {run.dataset}
            {labels && run.labelSet && ` · labels ${run.labelSet}`}
            {labels && run.classes.length > 0 && ` (${run.classes.length} classes)`}
            {run.attempt > 1 && ` · attempt ${run.attempt}`}
          </p>
          {(run.executor !== "local" || run.job) && (
            <p className="muted small mono" data-testid="run-executor">
              {run.executor} · {run.nodes} node{run.nodes === 1 ? "" : "s"}
              {run.job?.id && ` · job ${run.job.id}`}
              {run.job?.state && ` ${run.job.state}`}
              {run.job?.nodeList && ` on ${run.job.nodeList}`}
              {run.job?.pendingReason && ` · waiting: ${run.job.pendingReason}`}
            </p>
          )}
        </div>
        <div className="page-actions">
          {isActive(run.status) && <LiveIndicator status={live} />}
          <CancelButton run={run} />
          <ResumeButton run={run} />
        </div>
      </div>

      <dl className="run-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={run.status} />
          </dd>
        </div>
        <div>
          <dt>Phase</dt>
          <dd data-testid="run-phase">{run.phase ?? "—"}</dd>
        </div>
        <div className="fact-progress">
          <dt>Progress</dt>
          <dd>
            <ProgressBar value={fraction} status={run.status} label="Run progress" />
            <span className="mono small" data-testid="run-epoch">
              epoch {run.epoch}/{run.epochs || "—"}
              {run.steps > 0 && ` · step ${run.step}/${run.steps}`}
            </span>
          </dd>
        </div>
        <div>
          <dt>Best{run.best ? ` ${run.best.name}` : ""}</dt>
          <dd className="mono" data-testid="run-best">
            {run.best ? (
              <>
                {formatMetric(run.best.value)}
                {run.best.epoch != null && <span className="muted small"> @ epoch {run.best.epoch}</span>}
              </>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd className="mono">{formatDuration(runDurationMs(run, now))}</dd>
        </div>
      </dl>
    </header>
  );
}

function CancelButton({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: (summary) => {
        queryClient.setQueryData(trpc.runs.get.queryKey({ id: run.id }), (old) => (old ? { ...old, ...summary } : old));
        setConfirming(false);
      },
    }),
  );
  if (!isActive(run.status)) return null;
  if (!confirming)
    return (
      <button type="button" className="button button-danger-outline" data-testid="cancel-run" onClick={() => setConfirming(true)}>
        Cancel run
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label="Confirm cancel">
      <span className="small">
        {run.status === "running" ? "Stop training (a resumable checkpoint is written)?" : "Remove from the queue?"}
      </span>
      <button
        type="button"
        className="button button-danger"
        data-testid="confirm-cancel"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ id: run.id })}
        autoFocus
      >
        {cancel.isPending ? "Cancelling…" : "Yes, cancel"}
      </button>
      <button type="button" className="button" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {cancel.isError && <span className="text-error small">{cancel.error.message}</span>}
    </span>
  );
}

/** Resume from the run's last checkpoint (the daemon says why when it cannot). */
function ResumeButton({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const resume = useMutation(
    trpc.runs.resume.mutationOptions({
      onSuccess: (summary) => queryClient.setQueryData(trpc.runs.get.queryKey({ id: run.id }), (old) => (old ? { ...old, ...summary } : old)),
    }),
  );
  if (!(RESUMABLE_STATES as readonly string[]).includes(run.status)) return null;
  return (
    <span className="confirm">
      <button type="button" className="button button-primary" data-testid="resume-run" disabled={resume.isPending} onClick={() => resume.mutate({ id: run.id })}>
        {resume.isPending ? "Resuming…" : "Resume"}
      </button>
      {resume.isError && <span className="text-error small" role="alert">{resume.error.message}</span>}
    </span>
  );
}
