"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useChartSeries, useCsvExport } from "../hooks/use-chart-series.ts";
import { useDebouncedValue } from "../hooks/use-debounced-value.ts";
import { maxSeriesPoints, runColor, type LineStyle } from "../lib/chart-lines.ts";
import { readChartSettings, readRunSelection, writeChartSettings, type ChartSettings } from "../lib/chart-settings.ts";
import { taskOf } from "../lib/chart-panels.ts";
import { CLASS_KEYS, HEADLINE_KEYS } from "../lib/compare-metrics.ts";
import { compareKeys, readExtraMetrics } from "@trainyard/protocol/series-request";
import { useTRPC } from "../lib/trpc.ts";
import { ChartControls } from "./chart-controls.tsx";
import { ChartPanels, formatLr, type PanelSpec } from "./chart-panels.tsx";
import { CompareRiskCurves } from "./compare-risk-curves.tsx";
import { ConfigDiffTable, keysMatching, MetricTable } from "./compare-tables.tsx";
import { StatePanel } from "./state-panel.tsx";


function panelFor(key: string): PanelSpec {
  return { title: key, keys: [key], format: key.includes("/lr") ? formatLr : undefined, height: 220 };
}

/** Runs overlaid: same controls as the run page, a colour per run; selection and settings live in the URL. */
export function CompareView() {
  const params = useSearchParams();
  const pathname = usePathname();
  const trpc = useTRPC();
  // by the selection's text, not the params object: a settings change rewrites the URL, and a new runs array
  // would rebuild every line and redraw every chart for nothing
  const runsParam = params.get("runs") ?? "";
  const runIds = useMemo(() => readRunSelection(new URLSearchParams({ runs: runsParam })), [runsParam]);
  const [settings, setSettings] = useState<ChartSettings>(() => readChartSettings(params));
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [extra, setExtra] = useState<string[]>(() => readExtraMetrics(params));
  const exportCsv = useCsvExport();

  // the URL follows the controls (debounced: a slider drag is not a history of 100 URLs), through the
  // history API, which Next's router follows without fetching the page again from the daemon
  const urlSettings = useDebouncedValue(settings, 300);
  useEffect(() => {
    const next = writeChartSettings(new URLSearchParams(params), urlSettings);
    if (extra.length) next.set("metrics", extra.join(","));
    else next.delete("metrics");
    const qs = next.toString().replace(/%2C/g, ",");
    if (qs !== params.toString().replace(/%2C/g, ",")) window.history.replaceState(null, "", `${pathname}?${qs}`);
  }, [urlSettings, extra, params, pathname]);

  const summaries = useQuery(trpc.charts.summaries.queryOptions({ runs: runIds }, { enabled: runIds.length > 0 }));
  const keys = useQuery(trpc.charts.keys.queryOptions({ runs: runIds }, { enabled: runIds.length > 0 }));
  // The series are asked for at once (a key no run has comes back empty), not after the key list: the
  // heavy read starts one round trip earlier. The key list then decides which panels exist.
  const requestedKeys = useMemo(() => compareKeys(extra), [extra]);
  const metricKeys = useMemo(() => {
    const available = new Set(keys.data ?? []);
    return requestedKeys.filter((k) => available.has(k));
  }, [keys.data, requestedKeys]);
  const panels = useMemo(() => metricKeys.map(panelFor), [metricKeys]);
  const { query: series, data: seriesData, serverWeight } = useChartSeries({ runs: runIds, keys: requestedKeys, smoothing: settings.smoothing, range: zoom });

  const styles: LineStyle[] = useMemo(() => {
    const byId = new Map((summaries.data ?? []).map((s) => [s.run.id, s.run]));
    return runIds.map((id, i) => ({ id, label: byId.get(id)?.name ?? id, color: runColor(i) }));
  }, [runIds, summaries.data]);

  const onZoom = useCallback((r: [number, number] | null) => setZoom(r), []);
  const maxPoints = useMemo(() => {
    if (!seriesData) return 0;
    return maxSeriesPoints(Object.values(seriesData).flatMap((byKey) => Object.values(byKey).map((b) => ({ x: b.step }))));
  }, [seriesData]);

  // Kept by identity across renders: a slider tick re-renders this view, and new arrays here would rebuild
  // every chart line and re-render the tables for nothing.
  const tables = useMemo(() => {
    const found = summaries.data ?? [];
    const ids = new Set(found.map((s) => s.run.id));
    const risk = new Set(found.filter((s) => taskOf(s.config) === "risk").map((s) => s.run.id));
    return {
      riskStyles: styles.filter((s) => risk.has(s.id)),
      found,
      missing: summaries.data ? runIds.filter((id) => !ids.has(id)) : [],
      foundStyles: styles.filter((s) => ids.has(s.id)),
      classKeys: keysMatching(found, CLASS_KEYS),
      headline: keysMatching(found, HEADLINE_KEYS),
    };
  }, [summaries.data, runIds, styles]);
  const { found, missing, foundStyles, classKeys, headline, riskStyles } = tables;

  if (!runIds.length)
    return (
      <StatePanel kind="empty" title="No runs selected">
        <p>
          Select runs in the <Link href="/">runs table</Link> and press Compare, or open <span className="mono">/compare?runs=ID1,ID2</span>.
        </p>
      </StatePanel>
    );
  if (summaries.isError) return <StatePanel kind="error" title="Could not load the runs"><p className="mono small">{summaries.error.message}</p></StatePanel>;

  const addable = (keys.data ?? []).filter((k) => !metricKeys.includes(k));

  return (
    <div className="compare-page" data-testid="compare-view" data-runs={runIds.length} data-max-series-points={maxPoints}>
      <nav className="crumbs small" aria-label="Breadcrumb">
        <Link href="/">Runs</Link> <span aria-hidden="true">/</span> compare
      </nav>
      <div className="section-head">
        <h1>Compare {runIds.length} runs</h1>
        <button type="button" className="button" onClick={() => void navigator.clipboard?.writeText(window.location.href)} data-testid="copy-link">
          Copy link
        </button>
      </div>
      {missing.length > 0 && <p className="text-error small" role="alert">Not found: {missing.join(", ")}</p>}
      {foundStyles.length <= 12 && (
        <ul className="chart-legend run-legend">
          {foundStyles.map((r) => (
            <li key={r.id}>
              <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
              <Link className="mono" href={`/runs/${encodeURIComponent(r.id)}`}>{r.label}</Link>
            </li>
          ))}
        </ul>
      )}
      <div className="controls-row">
        <ChartControls value={settings} onChange={setSettings} />
        {addable.length > 0 && (
          <label className="small">
            Add chart{" "}
            <select value="" onChange={(e) => e.target.value && setExtra([...extra, e.target.value])} data-testid="add-metric">
              <option value="">metric…</option>
              {addable.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </label>
        )}
      </div>

      <section aria-label="Charts">
        {series.isPending || keys.isPending ? (
          <StatePanel kind="loading" title={`Loading ${runIds.length} × ${metricKeys.length || "…"} series…`} />
        ) : series.isError ? (
          <StatePanel kind="error" title="Could not load the series"><p className="mono small">{series.error.message}</p></StatePanel>
        ) : !metricKeys.length ? (
          <StatePanel kind="empty" title="These runs have no metrics yet" />
        ) : (
          <ChartPanels
            panels={panels}
            data={seriesData}
            runs={foundStyles}
            settings={settings}
            serverWeight={serverWeight}
            zoom={zoom}
            onZoom={onZoom}
            onExportCsv={(k, title) => void exportCsv(runIds, k, `compare-${title.replace(/\W+/g, "_")}.csv`)}
          />
        )}
      </section>

      {summaries.data && (
        <>
          <section className="panel">
            <h2>Final and best metrics</h2>
            <div className="two-tables">
              <MetricTable summaries={found} runs={foundStyles} keys={headline} pick="last" testId="final-metrics" caption="Final metrics" />
              <MetricTable summaries={found} runs={foundStyles} keys={headline} pick="best" testId="best-metrics" caption="Best metrics" />
            </div>
          </section>
          {riskStyles.length > 0 && (
            <section className="panel">
              <h2>AUC by year and calibration (test, else the latest validation)</h2>
              <CompareRiskCurves runs={riskStyles} />
            </section>
          )}
          <section className="panel">
            <h2>Per-class AUC, AP and AP50 (final evaluation)</h2>
            <MetricTable summaries={found} runs={foundStyles} keys={classKeys} pick="last" testId="class-metrics" caption="Per-class metrics" />
          </section>
          <section className="panel">
            <h2>Config keys that differ</h2>
            <ConfigDiffTable summaries={found} runs={foundStyles} />
          </section>
        </>
      )}
    </div>
  );
}
