"use client";

import Link from "next/link";
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useRef, useState, type CSSProperties, type ReactNode } from "react";
import { RUN_STATES as STATUSES } from "@trainyard/protocol/run-states";
import { useDebouncedValue } from "../hooks/use-debounced-value.ts";
import { useNow } from "../hooks/use-now.ts";
import { compareHref } from "../lib/chart-settings.ts";
import { etaMs, formatDuration, formatMetric, isActive, progressFraction, runDurationMs } from "../lib/run-progress.ts";
import { RUNS_COLUMNS, runsGridTemplate, slotLabel } from "../lib/runs-list.ts";
import { useTRPC, type RouterInputs, type RouterOutputs } from "../lib/trpc.ts";
import { pagesFor, visibleRows } from "../lib/virtual-rows.ts";
import { LiveIndicator } from "./live-indicator.tsx";
import { ProgressBar } from "./progress-bar.tsx";
import { StatePanel } from "./state-panel.tsx";
import { StatusBadge } from "./status-badge.tsx";

type PageInput = RouterInputs["charts"]["runsPage"];
type Row = RouterOutputs["charts"]["runsPage"]["rows"][number];
type SortKey = NonNullable<PageInput["sort"]>;
/** The header and every row lay out on these tracks (one per column of RUNS_COLUMNS). */
const GRID = { "--runs-grid": runsGridTemplate() } as CSSProperties;

const PAGE = 100;
const ROW_H = 40;
const VIEW_H = 560;

/** The runs table: server-side paging, filter and sort; only the rows in view are rendered. */
export function RunsListView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [regex, setRegex] = useState(false);
  const [status, setStatus] = useState<string[]>([]);
  const [tag, setTag] = useState("");
  const [sort, setSort] = useState<SortKey>("created");
  const [dir, setDir] = useState<"asc" | "desc">("desc");
  const [scrollTop, setScrollTop] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const body = useRef<HTMLDivElement>(null);
  const q = useDebouncedValue(text, 200);

  const filter: Omit<PageInput, "offset" | "limit"> = {
    ...(q ? (regex ? { regex: q } : { text: q }) : {}),
    ...(status.length ? { status: status as PageInput["status"] } : {}),
    ...(tag ? { tag } : {}),
    sort,
    dir,
  };
  const [total, setTotal] = useState<number | null>(null);
  const view = visibleRows(scrollTop, VIEW_H, ROW_H, total ?? PAGE);
  const pages = pagesFor(view.first, view.last, PAGE);
  const results = useQueries({
    queries: pages.map((p) => trpc.charts.runsPage.queryOptions({ ...filter, offset: p * PAGE, limit: PAGE }, { staleTime: 5_000, placeholderData: (prev) => prev })),
  });
  const first = results[0];
  const knownTotal = first?.data?.total ?? null;
  if (knownTotal !== null && knownTotal !== total) setTotal(knownTotal);
  const rows = new Map<number, Row>();
  results.forEach((r, i) => r.data?.rows.forEach((row, j) => rows.set(pages[i] * PAGE + j, row)));
  const anyActive = [...rows.values()].some((r) => isActive(r.status));
  const now = useNow(1000, anyActive);

  // live: every pushed change re-reads the pages on screen (cheap: one indexed query per page)
  const live = useSubscription(
    trpc.runs.watchList.subscriptionOptions(undefined, {
      onData: (e) => {
        if (e.type === "run") void queryClient.invalidateQueries({ queryKey: trpc.charts.runsPage.queryKey() });
      },
    }),
  );

  function toggleSort(key: SortKey) {
    if (key === sort) setDir(dir === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setDir(key === "name" || key === "owner" || key === "dataset" || key === "labelSet" ? "asc" : "desc");
    }
  }

  const error = results.find((r) => r.isError)?.error;
  const tags = first?.data?.tags ?? [];
  const filtered = Boolean(q || status.length || tag);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Runs</h1>
          {total !== null && <p className="muted small" data-testid="runs-counts">{total} {total === 1 ? "run" : "runs"}{filtered ? " match" : ""}</p>}
        </div>
        <div className="page-actions">
          <LiveIndicator status={live.status} />
          <Link href="/runs/new" className="button button-primary" data-testid="new-run">New run</Link>
        </div>
      </div>

      <div className="runs-filters" role="search">
        <input type="search" placeholder={regex ? "regular expression…" : "filter by name, id, owner, dataset, labels, tag"} value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter runs" data-testid="runs-filter" />
        <label className="small"><input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} data-testid="runs-regex" /> regex</label>
        <span className="status-chips" role="group" aria-label="Status filter">
          {STATUSES.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={status.includes(s)} onChange={(e) => setStatus(e.target.checked ? [...status, s] : status.filter((x) => x !== s))} data-testid={`status-filter-${s}`} /> {s}
            </label>
          ))}
        </span>
        {tags.length > 0 && (
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Tag filter" data-testid="tag-filter">
            <option value="">any tag</option>
            {tags.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        )}
      </div>

      <div className="selection-bar" aria-live="polite">
        {selected.length > 0 ? (
          <>
            <span className="small">{selected.length} selected</span>
            <button type="button" className="button button-primary" disabled={selected.length < 1} onClick={() => router.push(compareHref(selected))} data-testid="compare-selected">Compare</button>
            <button type="button" className="button" onClick={() => setSelected([])}>Clear</button>
          </>
        ) : (
          <span className="muted small">Select runs to compare them.</span>
        )}
      </div>

      {error ? (
        <StatePanel kind="error" title="Could not load the runs">
          <p className="mono small">{error.message}</p>
          <button type="button" className="button" onClick={() => results.forEach((r) => void r.refetch())}>Try again</button>
        </StatePanel>
      ) : total === null ? (
        <StatePanel kind="loading" title="Loading runs…" />
      ) : total === 0 ? (
        filtered ? <StatePanel kind="empty" title="No run matches the filter" /> : (
          <StatePanel kind="empty" title="No runs yet">
            <p>Start one from an example config: <Link href="/runs/new">New run</Link>. From a shell: <code>trainyard run configs/demo.yaml</code></p>
          </StatePanel>
        )
      ) : (
        <div className="vtable" role="table" aria-rowcount={total} data-testid="runs-table" style={GRID}>
          <div className="vtable-head" role="row" data-testid="runs-head">
            {RUNS_COLUMNS.map((c) => (
              <span role="columnheader" key={c.id} className={c.numeric ? "num" : undefined} data-col={c.id} aria-sort={c.sort && c.sort === sort ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                {c.id === "select" ? <span className="sr-only">{c.label}</span> : c.sort ? (
                  <button type="button" onClick={() => toggleSort(c.sort!)} data-testid={`sort-${c.sort}`}>{c.label}{c.sort === sort ? (dir === "asc" ? " ▲" : " ▼") : ""}</button>
                ) : c.label}
              </span>
            ))}
          </div>
          <div className="vtable-body" ref={body} style={{ height: Math.min(VIEW_H, total * ROW_H + 2) }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="runs-scroll">
            <div style={{ height: total * ROW_H }} />
            {Array.from({ length: view.last - view.first }, (_, k) => {
              const i = view.first + k;
              const run = rows.get(i);
              return run ? (
                <RunRow key={run.id} run={run} top={i * ROW_H} now={now} index={i} selected={selected.includes(run.id)} onSelect={(on) => setSelected(on ? [...selected, run.id] : selected.filter((x) => x !== run.id))} />
              ) : (
                <div key={`p${i}`} className="vtable-row muted small" role="row" style={{ top: i * ROW_H }}>…</div>
              );
            })}
          </div>
        </div>
      )}
    </>
  );
}

function RunRow({ run, top, now, index, selected, onSelect }: { run: Row; top: number; now: number; index: number; selected: boolean; onSelect: (on: boolean) => void }) {
  const fraction = progressFraction(run);
  const eta = etaMs(run, now);
  const slot = slotLabel(run);
  const created = new Date(run.createdAt);
  // one entry per column id; the row renders them in RUNS_COLUMNS order, the header's
  const cells: Record<string, ReactNode> = {
    select: <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Select ${run.name}`} data-testid="select-run" />,
    name: <><Link href={`/runs/${encodeURIComponent(run.id)}`} className="run-link">{run.name}</Link> <span className="muted mono small" data-testid="run-id">{run.id}</span></>,
    status: <StatusBadge status={run.status} />,
    progress: (
      <>
        <ProgressBar value={fraction} status={run.status} label={`Progress of ${run.name}`} />
        <span className="muted small mono">{run.epochs > 0 ? `ep ${run.epoch}/${run.epochs}` : ""}{eta != null ? ` · ${formatDuration(eta)} left` : ""}</span>
      </>
    ),
    owner: run.owner,
    dataset: run.dataset,
    labelSet: run.labelSet,
    best: run.best ? formatMetric(run.best.value) : "—",
    duration: formatDuration(runDurationMs(run, now)),
    created: created.toLocaleDateString(),
    gpus: slot.text,
    queue: run.queuePosition ?? "—",
  };
  const attrs: Record<string, { className?: string; title?: string; testId?: string }> = {
    name: { title: run.id },
    labelSet: { className: "mono small" },
    best: { className: "mono num", title: run.best ? `${run.best.name}${run.best.epoch != null ? ` @ epoch ${run.best.epoch}` : ""}` : undefined },
    duration: { className: "mono num", testId: "run-duration" },
    created: { className: "small", title: created.toLocaleString(), testId: "run-created" },
    gpus: { className: "mono small", title: slot.title, testId: "run-slots" },
    queue: { className: "num", testId: "queue-position" },
  };
  return (
    <div className="vtable-row" role="row" aria-rowindex={index + 2} style={{ top }} data-testid="run-row" data-run-id={run.id}>
      {RUNS_COLUMNS.map((c) => {
        const a = attrs[c.id] ?? {};
        return <span role="cell" key={c.id} className={a.className} title={a.title} data-col={c.id} data-testid={a.testId}>{cells[c.id]}</span>;
      })}
    </div>
  );
}
