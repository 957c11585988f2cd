"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useChartSeries, useCsvExport, useThrottledRefetch } from "../hooks/use-chart-series.ts";
import { nonFiniteMarkers, phaseMarkers, runColor, stepEpochs, type Buckets } from "../lib/chart-lines.ts";
import { DEFAULT_CHART_SETTINGS, type ChartSettings } from "../lib/chart-settings.ts";
import { EPOCH_TIME_KEY, runPanels, taskOf, type RunPanel } from "../lib/chart-panels.ts";
import { phaseBoundaries, phasesOfConfig } from "../lib/phase-boundaries.ts";
import { useTRPC } from "../lib/trpc.ts";
import { ChartControls } from "./chart-controls.tsx";
import { ChartPanels, formatLr, type PanelSpec } from "./chart-panels.tsx";
import { StatePanel } from "./state-panel.tsx";

const toSpec = (p: RunPanel): PanelSpec => ({ title: p.title, keys: p.keys, height: p.height, format: p.format === "lr" ? formatLr : undefined });

const KEY_COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#a855f7", "#06b6d4"];

interface Props {
  id: string;
  name: string;
  config: unknown;
  /** Changes whenever live points arrive: the charts re-read then. */
  liveTick: string | number | null;
  running: boolean;
}

/** Live charts of one run with the shared controls, zoom, phase markers, CSV / PNG export. */
export function RunCharts({ id, name, config, liveTick, running }: Props) {
  const trpc = useTRPC();
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_CHART_SETTINGS);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const keys = useQuery(trpc.runs.metricKeys.queryOptions({ id }, { staleTime: Infinity }));
  const task = taskOf(config);
  const { main, perClass, perClassTitle } = useMemo(() => {
    const p = runPanels(task, keys.data ?? []);
    return { main: p.main.map(toSpec), perClass: p.perClass.map(toSpec), perClassTitle: p.perClassTitle };
  }, [task, keys.data]);
  const seriesKeys = useMemo(() => [...new Set([...main, ...perClass].flatMap((p) => p.keys).filter((k) => k !== EPOCH_TIME_KEY))], [main, perClass]);
  const { query: series, data: seriesData, serverWeight, refetch: refetchSeries } = useChartSeries({ runs: [id], keys: seriesKeys, smoothing: settings.smoothing, range: zoom });
  const epochTimes = useQuery(trpc.charts.epochTimes.queryOptions({ id }, { staleTime: Infinity }));
  const exportCsv = useCsvExport();

  const refetch = useThrottledRefetch(() => {
    refetchSeries();
    void keys.refetch();
    void epochTimes.refetch();
  });
  useEffect(() => {
    // new points while running; and once more when the run ends (its last points come with the end)
    if (liveTick != null || !running) refetch();
    // refetch is stable in behaviour; only new points and the end matter
  }, [liveTick, running]);

  const data = useMemo(() => {
    const byKey: Record<string, Buckets> = { ...(seriesData?.[id] ?? {}) };
    const et = epochTimes.data ?? [];
    if (et.length) {
      const runStart = byKey["train/loss"]?.time[0] ?? 0;
      byKey[EPOCH_TIME_KEY] = {
        step: et.map((e) => e.step), epoch: et.map((e) => e.epoch), time: et.map((_, i) => runStart + i),
        last: et.map((e) => e.seconds), min: et.map((e) => e.seconds), max: et.map((e) => e.seconds),
        mean: et.map((e) => e.seconds), count: et.map(() => 1), smooth: null, total: et.length,
      };
    }
    return { [id]: byKey };
  }, [seriesData, epochTimes.data, id]);

  // Live latency as the e2e suite reads it: trainer print time of the newest point → drawn here.
  useEffect(() => {
    const t = series.data?.[id]?.["train/loss"]?.time.at(-1);
    if (!running || t == null) return;
    const w = window as unknown as { __liveLatencyMs?: number[] };
    (w.__liveLatencyMs ??= []).push(Date.now() - t * 1000);
  }, [series.data, id, running]);

  // a key that became NaN / infinite is marked where it first did: a diverged run must not look like a gap
  const nonFinite = useQuery(trpc.charts.nonFinite.queryOptions({ id, keys: seriesKeys }, { enabled: seriesKeys.length > 0 }));
  const { refetch: refetchNonFinite } = nonFinite;
  useEffect(() => void refetchNonFinite(), [liveTick, running, refetchNonFinite]);
  const markers = useMemo(() => {
    const ref = data[id]["train/loss"] ?? Object.values(data[id])[0];
    if (!ref) return [];
    const phases = phaseMarkers(phaseBoundaries(phasesOfConfig(config), [stepEpochs(ref)]), ref, settings.xAxis);
    return [...phases, ...nonFiniteMarkers(nonFinite.data ?? {}, ref, settings.xAxis)];
  }, [data, id, config, settings.xAxis, nonFinite.data]);

  const runs = useMemo(() => [{ id, label: name, color: runColor(0) }], [id, name]);
  const keyColors = useCallback((_k: string, i: number) => KEY_COLORS[i % KEY_COLORS.length], []);
  const onZoom = useCallback((r: [number, number] | null) => setZoom(r), []);
  const onCsv = useCallback((k: readonly string[], title: string) => void exportCsv([id], k.filter((x) => x !== EPOCH_TIME_KEY), `${name}-${title.replace(/\W+/g, "_")}.csv`), [exportCsv, id, name]);

  if (keys.isPending || series.isPending) return <StatePanel kind="loading" title="Loading curves…" />;
  if (series.isError) return <StatePanel kind="error" title="Could not load the curves"><p className="mono small">{series.error.message}</p></StatePanel>;
  if (!seriesKeys.length) return <StatePanel kind="empty" title={running ? "Waiting for the first metrics…" : "This run logged no metrics"} />;
  const common = { data, runs, settings, serverWeight, zoom, onZoom, onExportCsv: onCsv, keyColors };
  return (
    <>
      <ChartControls value={settings} onChange={setSettings} />
      <ChartPanels panels={main} markers={markers} {...common} />
      {perClass.length > 0 && (
        <section aria-labelledby="per-class-title" className="per-class">
          <h3 id="per-class-title">{perClassTitle}</h3>
          <div className="small-multiples" data-testid={task === "detection" ? "per-class-ap50" : "per-class-auc"}>
            <ChartPanels panels={perClass} markers={markers} {...common} />
          </div>
        </section>
      )}
    </>
  );
}
