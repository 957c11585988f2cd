"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TRPCSubscriptionStatus } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { formatMetric } from "../../lib/run-progress.ts";
import { trialsDone } from "../../lib/sweep-trials.ts";
import { useTRPC, type SweepSummary } from "../../lib/trpc.ts";
import { LiveIndicator } from "../live-indicator.tsx";
import { ProgressBar } from "../progress-bar.tsx";
import { StatusBadge } from "../status-badge.tsx";

const OPEN = ["running", "paused"];

/** Name, status, the search and its budget, the best trial; pause / resume / cancel. */
export function SweepHeader({ sweep, live }: { sweep: SweepSummary; live: TRPCSubscriptionStatus }) {
  const done = trialsDone(sweep.counts);
  const es = sweep.earlyStopping;
  return (
    <header className="run-header" data-testid="sweep-header">
      <div className="run-title">
        <div>
          <h1 data-testid="sweep-name">{sweep.name}</h1>
          <p className="muted small mono">
            {sweep.id} · {sweep.owner} · {sweep.method}
            {sweep.gridSize != null && ` (${sweep.gridSize} points)`} · seed {sweep.seed} · priority {sweep.priority}
          </p>
        </div>
        <div className="page-actions">
          {OPEN.includes(sweep.status) && <LiveIndicator status={live} />}
          <SweepActions sweep={sweep} />
        </div>
      </div>
      <dl className="run-facts">
        <div>
          <dt>Status</dt>
          <dd><StatusBadge status={sweep.status} testId="sweep-status" /></dd>
        </div>
        <div className="fact-progress">
          <dt>Trials</dt>
          <dd>
            <ProgressBar value={sweep.maxTrials ? done / sweep.maxTrials : 0} status={sweep.status} label="Trials done" />
            <span className="mono small" data-testid="sweep-trials">
              {done} / {sweep.maxTrials} done
              {(sweep.counts.running ?? 0) > 0 && ` · ${sweep.counts.running} running`}
              {(sweep.counts.queued ?? 0) > 0 && ` · ${sweep.counts.queued} queued`}
              {` · at most ${sweep.parallel} at once`}
            </span>
          </dd>
        </div>
        <div>
          <dt>Best {sweep.metric.name} ({sweep.metric.goal})</dt>
          <dd className="mono" data-testid="sweep-best">
            {sweep.best?.value != null ? (
              <>
                {formatMetric(sweep.best.value)} <span className="muted small">trial {sweep.best.number}</span>
              </>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Early stopping</dt>
          <dd className="small" data-testid="sweep-stopper">
            {es.type === "none" ? `none · ${es.maxEpochs} epochs a trial` : `${es.type} · epochs ${es.minEpochs}–${es.maxEpochs}`}
            {sweep.rungs.length > 0 && <span className="muted"> · rungs at {sweep.rungs.join(", ")}</span>}
          </dd>
        </div>
        <div>
          <dt>Trial-epochs</dt>
          <dd className="mono small" data-testid="sweep-cost" title="epochs trained so far, of the most the sweep can cost (max_trials x max_epochs)">
            {sweep.trialEpochs} / {sweep.maxTrialEpochs}
          </dd>
        </div>
      </dl>
      {sweep.error && <p className="text-error small" role="alert" data-testid="sweep-error">{sweep.error}</p>}
      {sweep.notes.length > 0 && (
        <ul className="sweep-notes small muted" data-testid="sweep-notes">
          {sweep.notes.map((n) => <li key={n}>{n}</li>)}
        </ul>
      )}
    </header>
  );
}

/** Pause (no new trials; those running finish), resume, and cancel after a confirmation. */
function SweepActions({ sweep }: { sweep: SweepSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const put = (s: SweepSummary) => queryClient.setQueryData(trpc.sweeps.get.queryKey({ id: sweep.id }), s);
  const pause = useMutation(trpc.sweeps.pause.mutationOptions({ onSuccess: put }));
  const resume = useMutation(trpc.sweeps.resume.mutationOptions({ onSuccess: put }));
  const cancel = useMutation(trpc.sweeps.cancel.mutationOptions({ onSuccess: (s) => { put(s); setConfirming(false); } }));
  if (!OPEN.includes(sweep.status)) return null;
  const error = pause.error ?? resume.error ?? cancel.error;
  const busy = pause.isPending || resume.isPending || cancel.isPending;
  return (
    <span className="confirm">
      {sweep.status === "running" ? (
        <button type="button" className="button" data-testid="pause-sweep" disabled={busy} title="Ask for no new trials; the trials running now finish" onClick={() => pause.mutate({ id: sweep.id })}>
          {pause.isPending ? "Pausing…" : "Pause"}
        </button>
      ) : (
        <button type="button" className="button button-primary" data-testid="resume-sweep" disabled={busy} onClick={() => resume.mutate({ id: sweep.id })}>
          {resume.isPending ? "Resuming…" : "Resume"}
        </button>
      )}
      {!confirming ? (
        <button type="button" className="button button-danger-outline" data-testid="cancel-sweep" disabled={busy} onClick={() => setConfirming(true)}>
          Cancel sweep
        </button>
      ) : (
        <span className="confirm" role="group" aria-label="Confirm cancel">
          <span className="small">Cancel its queued and running trials and end the sweep?</span>
          <button type="button" className="button button-danger" data-testid="confirm-cancel-sweep" disabled={busy} onClick={() => cancel.mutate({ id: sweep.id })} autoFocus>
            {cancel.isPending ? "Cancelling…" : "Yes, cancel"}
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>Keep</button>
        </span>
      )}
      {error && <span className="text-error small" role="alert">{error.message}</span>}
    </span>
  );
}
