"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { fieldIssues, readConfig, setConfigValue, type Path } from "../lib/config-doc.ts";
import { ConfigForm } from "./config-form.tsx";
import { issuesFromError, type ConfigIssue } from "../lib/config-issues.ts";
import { useTRPC } from "../lib/trpc.ts";
import { useDebouncedValue } from "../hooks/use-debounced-value.ts";
import { IssueList } from "./issue-list.tsx";
import { StatePanel } from "./state-panel.tsx";
import { SweepLaunch } from "./sweeps/sweep-launch.tsx";

const VALIDATE_DELAY_MS = 300;

export function NewRunForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const ids = { example: useId(), yaml: useId(), status: useId() };
  const editor = useRef<HTMLTextAreaElement>(null);
  const [yaml, setYaml] = useState("");
  const [example, setExample] = useState("");
  const debouncedYaml = useDebouncedValue(yaml, VALIDATE_DELAY_MS);
  const params = useSearchParams();
  const cloneId = params.get("clone");
  // ?sweep=1 (the sweeps page's New sweep): the sweep panel under the form, the form's config its base
  const [sweepMode, setSweepMode] = useState(params.get("sweep") === "1");
  const clone = useQuery(trpc.runs.get.queryOptions({ id: cloneId ?? "" }, { enabled: Boolean(cloneId), retry: false }));
  useEffect(() => {
    // "clone": the run's YAML as submitted, renamed so the copy does not look like the original
    if (clone.data && !yaml) setYaml(setConfigValue(clone.data.configYaml, ["name"], `${clone.data.name}-clone`));
  }, [clone.data]);
  const parsed = useMemo(() => readConfig(yaml), [yaml]);
  const fieldErrors = useMemo(() => fieldIssues(parsed.value), [parsed.value]);
  const ctx = useMemo(
    () => ({ value: parsed.value ?? {}, issues: fieldErrors, set: (path: Path, v: unknown) => setYaml((t) => setConfigValue(t, path, v)) }),
    [parsed.value, fieldErrors],
  );

  const configs = useQuery(trpc.system.configs.queryOptions());
  const hasText = debouncedYaml.trim().length > 0;
  const validation = useQuery(
    trpc.runs.validate.queryOptions(
      { yaml: debouncedYaml },
      { enabled: hasText, placeholderData: keepPreviousData, staleTime: 5_000, retry: false },
    ),
  );
  const submit = useMutation(
    trpc.runs.submit.mutationOptions({
      onSuccess: (run) => router.push(`/runs/${encodeURIComponent(run.id)}`),
    }),
  );

  // The result only speaks for the text it was asked about: while typing, or while the answer for the
  // latest text is on its way, the form is "checking" and cannot be submitted.
  const upToDate = hasText && debouncedYaml === yaml && !validation.isPlaceholderData && !validation.isFetching;
  const result = hasText ? validation.data : undefined;
  const issues: ConfigIssue[] = submit.isError ? issuesFromError(submit.error) : (result?.issues ?? []);
  const valid = upToDate && result?.ok === true;
  const canSubmit = valid && !submit.isPending && !submit.isSuccess;

  function chooseExample(file: string) {
    setExample(file);
    const found = configs.data?.find((c) => c.file === file);
    if (found) {
      setYaml(found.yaml);
      submit.reset();
    }
  }

  function jumpToLine(line: number) {
    const el = editor.current;
    if (!el) return;
    const lines = el.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    // put the line near the top of the textarea's viewport
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 18;
    el.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  let statusLine: React.ReactNode;
  if (!yaml.trim()) statusLine = <span className="muted">Choose an example or paste a config.</span>;
  else if (!upToDate) statusLine = <span className="muted">Checking…</span>;
  else if (validation.isError) statusLine = <span className="text-error">Could not check the config: {validation.error.message}</span>;
  else if (valid && result?.ok)
    statusLine = (
      <span className="text-ok" data-testid="config-valid">
        Valid · {result.config.name} on {result.config.dataset.name} ·{" "}
        {result.config.training.task === "risk" ? `risk by year 1–${result.config.training.risk.max_followup}` : `${result.classes.length} classes`} ·{" "}
        {result.config.training.phases.map((p) => `${p.name} ${p.epochs}ep`).join(" → ")}
      </span>
    );
  else statusLine = <span className="text-error">{issues.length} {issues.length === 1 ? "issue" : "issues"} to fix</span>;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>New run</h1>
          <p className="muted small">The config is checked against the dataset as you type; submit queues it on the daemon.</p>
        </div>
        <div className="tabs" role="tablist" aria-label="Launch">
          <button type="button" role="tab" aria-selected={!sweepMode} onClick={() => setSweepMode(false)} data-testid="mode-run">Single run</button>
          <button type="button" role="tab" aria-selected={sweepMode} onClick={() => setSweepMode(true)} data-testid="mode-sweep">Sweep</button>
        </div>
      </div>

      <form
        className="new-run"
        onSubmit={(e) => {
          e.preventDefault();
          if (canSubmit && !sweepMode) submit.mutate({ yaml });
        }}
      >
        <div className="field-row">
          <label htmlFor={ids.example}>Example config</label>
          {configs.isError ? (
            <span className="text-error small">Could not load the examples: {configs.error.message}</span>
          ) : (
            <select
              id={ids.example}
              data-testid="example-config"
              value={example}
              disabled={configs.isPending}
              onChange={(e) => chooseExample(e.target.value)}
            >
              <option value="">{configs.isPending ? "Loading…" : "— choose an example —"}</option>
              {configs.data?.map((c) => (
                <option key={c.file} value={c.file}>
                  {c.name} ({c.file})
                </option>
              ))}
            </select>
          )}
        </div>

        <div className="field-row">
          <label htmlFor={`${ids.example}-file`}>Import a YAML file</label>
          <input id={`${ids.example}-file`} type="file" accept=".yaml,.yml,text/yaml" data-testid="import-yaml"
            onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then((t) => { setYaml(t); submit.reset(); }); }} />
          {cloneId && <span className="small muted" data-testid="clone-of">{clone.isError ? <span className="text-error">could not clone {cloneId}: {clone.error.message}</span> : `cloned from ${cloneId}`}</span>}
        </div>

        <div className="form-grid">
          {parsed.value ? <ConfigForm ctx={ctx} /> : <p className="text-error small" data-testid="form-disabled">The form is paused until the YAML parses: {parsed.error}</p>}
        <div className="editor-grid">
          <div className="editor">
            <label htmlFor={ids.yaml}>Config (YAML)</label>
            <textarea
              id={ids.yaml}
              ref={editor}
              data-testid="config-yaml"
              className="yaml-input"
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              value={yaml}
              aria-describedby={ids.status}
              aria-invalid={upToDate && result?.ok === false}
              placeholder={"name: my-run\ndataset:\n  name: demo\n…"}
              onChange={(e) => {
                setYaml(e.target.value);
                if (submit.isError) submit.reset();
              }}
            />
          </div>

          <aside className="checks" aria-live="polite">
            <h2>Checks</h2>
            <p id={ids.status} className="small" data-testid="config-status">
              {statusLine}
            </p>
            <IssueList issues={issues} yaml={yaml} onJumpToLine={jumpToLine} />
            {submit.isError && !issues.length && (
              <StatePanel kind="error" title="The daemon refused the run">
                <p className="mono small">{submit.error.message}</p>
              </StatePanel>
            )}
            {!sweepMode && <div className="form-actions">
              <button type="submit" className="button button-primary" data-testid="submit-run" disabled={!canSubmit}>
                {submit.isPending || submit.isSuccess ? "Submitting…" : "Submit run"}
              </button>
            </div>}
          </aside>
        </div>
        </div>
      </form>
      {sweepMode && <SweepLaunch base={parsed.value && Object.keys(parsed.value).length ? parsed.value : null} />}
    </>
  );
}
