"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { EARLY_STOPPERS, SWEEP_METHODS } from "@trainyard/config";
import { useDebouncedValue } from "../../hooks/use-debounced-value.ts";
import { issuesFromError } from "../../lib/config-issues.ts";
import { defaultSweptField, sweepableFields, sweepYaml, type SweepPlan, type SweptDistribution, type SweptField } from "../../lib/sweep-plan.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { IssueList } from "../issue-list.tsx";
import "./sweeps.css";

const NUM = (v: string, fallback: number) => (v === "" || !Number.isFinite(Number(v)) ? fallback : Number(v));

/**
 * Launch a sweep from the new-run form: the form's experiment is the base; fields marked as swept (each phase's
 * LR, batch size, weight decay) with a distribution, the method, metric, budget and stopper write the sweep
 * YAML below, which can also be pasted or edited by hand. It is checked with sweeps.validate as it changes
 * (issues with their paths); Create sweep makes it and opens its page.
 */
export function SweepLaunch({ base }: { base: Record<string, unknown> | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const monitor = String(((base?.training as Record<string, any> | undefined)?.checkpoint?.monitor) ?? "val/auc_macro");
  const [plan, setPlan] = useState<SweepPlan>({ name: `${String(base?.name ?? "sweep")}-sweep`, method: "tpe", metric: monitor, goal: "max", maxTrials: 8, parallel: 2, stopper: "asha", minEpochs: 1, maxEpochs: null, reductionFactor: 3, fields: [] });
  const [yaml, setYaml] = useState("");
  const [byHand, setByHand] = useState(false);
  const fields = base ? sweepableFields(base) : [];

  // the form writes the YAML until it is edited by hand
  useEffect(() => {
    if (!byHand && base && plan.fields.length) setYaml(sweepYaml(base, plan));
  }, [base, plan, byHand]);

  const text = useDebouncedValue(yaml, 300);
  const validation = useQuery(trpc.sweeps.validate.queryOptions({ yaml: text }, { enabled: text.trim().length > 0, placeholderData: keepPreviousData, retry: false, staleTime: 5_000 }));
  const create = useMutation(trpc.sweeps.create.mutationOptions({ onSuccess: (s) => router.push(`/sweeps/${encodeURIComponent(s.id)}`) }));
  const upToDate = text === yaml && yaml.trim() !== "" && !validation.isFetching && !validation.isPlaceholderData;
  const result = yaml.trim() ? validation.data : undefined;
  const issues = create.isError ? issuesFromError(create.error) : (result?.issues ?? []);
  const canCreate = upToDate && result?.ok === true && !create.isPending && !create.isSuccess;

  const set = (p: Partial<SweepPlan>) => { setByHand(false); setPlan((old) => ({ ...old, ...p })); };
  const setField = (key: string, f: SweptField | null) => set({ fields: f ? [...plan.fields.filter((x) => x.key !== key), f].sort((a, b) => fields.findIndex((x) => x.key === a.key) - fields.findIndex((x) => x.key === b.key)) : plan.fields.filter((x) => x.key !== key) });

  return (
    <fieldset className="form-section sweep-panel" data-testid="sweep-launch">
      <legend>Sweep</legend>
      <p className="small muted">Mark fields as swept, or paste a sweep YAML below (base: the experiment mapping, or configs/NAME.yaml).</p>
      {fields.map((f) => {
        const on = plan.fields.find((x) => x.key === f.key);
        return (
          <div className="swept-row" key={f.key} data-testid="swept-field" data-key={f.key}>
            <input type="checkbox" aria-label={`Sweep ${f.label}`} checked={Boolean(on)} onChange={(e) => setField(f.key, e.target.checked && base ? defaultSweptField(base, f) : null)} data-testid="swept-toggle" />
            <span title={f.key}>{f.label}</span>
            {on ? (
              <>
                <select aria-label={`${f.label} distribution`} value={on.dist} onChange={(e) => setField(f.key, { ...on, dist: e.target.value as SweptDistribution })} data-testid="swept-dist">
                  {f.dists.map((d) => <option key={d} value={d}>{d}</option>)}
                </select>
                {on.dist === "values" ? (
                  <input aria-label={`${f.label} values`} value={on.values} onChange={(e) => setField(f.key, { ...on, values: e.target.value })} data-testid="swept-values" style={{ gridColumn: "span 2" }} />
                ) : (
                  <>
                    <input aria-label={`${f.label} min`} type="number" step="any" value={on.min} onChange={(e) => setField(f.key, { ...on, min: NUM(e.target.value, on.min) })} data-testid="swept-min" />
                    <input aria-label={`${f.label} max`} type="number" step="any" value={on.max} onChange={(e) => setField(f.key, { ...on, max: NUM(e.target.value, on.max) })} data-testid="swept-max" />
                  </>
                )}
              </>
            ) : <span className="muted" style={{ gridColumn: "span 3" }}>fixed</span>}
          </div>
        );
      })}
      <div className="fields" style={{ marginTop: 8 }}>
        <div className="field"><label>Sweep name<input value={plan.name} onChange={(e) => set({ name: e.target.value })} data-testid="sweep-name-input" /></label></div>
        <div className="field"><label>Method<select value={plan.method} onChange={(e) => set({ method: e.target.value as SweepPlan["method"] })} data-testid="sweep-method">{SWEEP_METHODS.map((m) => <option key={m}>{m}</option>)}</select></label></div>
        <div className="field"><label>Metric<input value={plan.metric} onChange={(e) => set({ metric: e.target.value })} /></label></div>
        <div className="field"><label>Goal<select value={plan.goal} onChange={(e) => set({ goal: e.target.value as "max" | "min" })}><option>max</option><option>min</option></select></label></div>
        <div className="field"><label>Max trials<input type="number" min={1} value={plan.maxTrials} onChange={(e) => set({ maxTrials: NUM(e.target.value, plan.maxTrials) })} data-testid="sweep-max-trials" /></label></div>
        <div className="field"><label>Parallel<input type="number" min={1} value={plan.parallel} onChange={(e) => set({ parallel: NUM(e.target.value, plan.parallel) })} data-testid="sweep-parallel" /></label></div>
        <div className="field"><label>Early stopping<select value={plan.stopper} onChange={(e) => set({ stopper: e.target.value as SweepPlan["stopper"] })} data-testid="sweep-stopper-input">{EARLY_STOPPERS.map((m) => <option key={m}>{m}</option>)}</select></label></div>
        <div className="field"><label>Min epochs<input type="number" min={1} value={plan.minEpochs} onChange={(e) => set({ minEpochs: NUM(e.target.value, plan.minEpochs) })} /></label></div>
        <div className="field"><label>Reduction factor<input type="number" min={2} value={plan.reductionFactor} onChange={(e) => set({ reductionFactor: NUM(e.target.value, plan.reductionFactor) })} /></label></div>
      </div>
      <div className="editor" style={{ marginTop: 10 }}>
        <label htmlFor="sweep-yaml">Sweep (YAML){byHand && <span className="muted small"> · edited by hand: the fields above write it again when changed</span>}</label>
        <textarea id="sweep-yaml" className="yaml-input" data-testid="sweep-yaml" spellCheck={false} value={yaml} aria-invalid={upToDate && result?.ok === false}
          placeholder={"name: demo-lr\nbase: configs/demo.yaml\nmethod: tpe\nmax_trials: 12\nparameters:\n  training.phases.1.lr: {log_uniform: [1.0e-4, 1.0e-2]}"}
          onChange={(e) => { setByHand(true); setYaml(e.target.value); if (create.isError) create.reset(); }} />
      </div>
      <p className="small" data-testid="sweep-status-line">
        {!yaml.trim() ? <span className="muted">Mark a field as swept or paste a sweep.</span>
          : !upToDate ? <span className="muted">Checking…</span>
          : validation.isError ? <span className="text-error">Could not check the sweep: {validation.error.message}</span>
          : result?.ok ? (
            <span className="text-ok" data-testid="sweep-valid">
              Valid · {result.sweep.method} · {result.sweep.maxTrials} trials, {result.sweep.parallel} at once · at most {result.sweep.maxTrialEpochs} trial-epochs
              {result.sweep.notes.map((n) => <span key={n} className="muted"> · {n}</span>)}
            </span>
          ) : <span className="text-error">{issues.length} {issues.length === 1 ? "issue" : "issues"} to fix</span>}
      </p>
      <IssueList issues={issues} yaml={yaml} />
      {create.isError && !issues.length && <p className="text-error small" role="alert">{create.error.message}</p>}
      <div className="form-actions">
        <button type="button" className="button button-primary" data-testid="create-sweep" disabled={!canCreate} onClick={() => create.mutate({ yaml })}>
          {create.isPending || create.isSuccess ? "Creating…" : "Create sweep"}
        </button>
      </div>
    </fieldset>
  );
}
