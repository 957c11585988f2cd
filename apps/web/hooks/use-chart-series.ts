"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { decodeSeries, decodeSmoothing, type WireSeries, type WireSmoothing } from "@trainyard/protocol/series-wire";
import { withSmoothing } from "../lib/chart-lines.ts";
import { metricsCsvUrl, seriesInput } from "@trainyard/protocol/series-request";
import { useTRPC } from "../lib/trpc.ts";
import { useDebouncedValue } from "./use-debounced-value.ts";

const EXACT_SMOOTHING_DELAY_MS = 250;

interface Options {
  runs: readonly string[];
  keys: readonly string[];
  smoothing: number;
  /** Zoomed step range; null = everything. */
  range: [number, number] | null;
  enabled?: boolean;
}

/**
 * Bucketed series of several runs, in two reads: charts.series (min / max / last / mean per bucket, cheap:
 * the daemon builds it from stored group aggregates) paints the charts, and charts.smoothing (the exact
 * debiased EMA over every stored point, for the debounced slider weight) follows. Until the exact
 * smoothing for the current weight is in, the chart computes an approximate EMA from bucket means and
 * marks it "≈" (see chart-lines.ts). `data` carries the exact smoothing in each series' `smooth` when it
 * was read for the same points (`total` agrees); `serverWeight` is the weight it was read with.
 */
export function useChartSeries({ runs, keys, smoothing, range, enabled = true }: Options) {
  const trpc = useTRPC();
  const weight = useDebouncedValue(smoothing, EXACT_SMOOTHING_DELAY_MS);
  const input = seriesInput(runs, keys, range);
  const on = enabled && runs.length > 0 && keys.length > 0;
  // structuralSharing off: a read's decoded columns replace the last ones wholesale, and comparing them
  // deeply (TanStack's default, ~1M numbers in a compare view) cost more than a slider tick's whole draw
  const query = useQuery(trpc.charts.series.queryOptions(input, { enabled: on, placeholderData: keepPreviousData, staleTime: Infinity, select: decodeAll, structuralSharing: false }));
  // asked once the buckets have been painted: the smoothing read (every stored point) would otherwise
  // compete with the buckets' read and with the first draw for the same cores
  const painted = useAfterPaint(query.data !== undefined);
  const exact = useQuery(
    trpc.charts.smoothing.queryOptions(
      { ...input, smoothing: weight },
      { enabled: on && weight > 0 && painted, placeholderData: keepPreviousData, staleTime: Infinity, select: decodeAllSmoothing, structuralSharing: false },
    ),
  );
  const exactWeight = weight > 0 && exact.data && !exact.isPlaceholderData ? weight : -1;
  const data = useMemo(() => withSmoothing(query.data, exactWeight > 0 ? exact.data : undefined), [query.data, exact.data, exactWeight]);
  const refetch = useCallback(() => {
    void query.refetch();
    if (weight > 0) void exact.refetch();
  }, [query, exact, weight]);
  return { query, data, serverWeight: exactWeight, refetch };
}

type ByRun<T> = Record<string, Record<string, T>>;

// the columns come as base64 (packages/db/src/series-wire.ts); decoded once per answer (select is memoised
// by the data it is given, and these functions are stable)
const mapSeries = <A, B>(byRun: ByRun<A>, f: (a: A) => B): ByRun<B> =>
  Object.fromEntries(Object.entries(byRun).map(([run, byKey]) => [run, Object.fromEntries(Object.entries(byKey).map(([k, v]) => [k, f(v)]))]));
const decodeAll = (d: ByRun<WireSeries>) => mapSeries(d, decodeSeries);
const decodeAllSmoothing = (d: ByRun<WireSmoothing>) => mapSeries(d, decodeSmoothing);

/** True from the frame after `ready` first became true, i.e. once what it enabled has been painted. */
function useAfterPaint(ready: boolean): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!ready || painted) return;
    // the first callback runs before that frame paints, the second one after
    let inner = 0;
    const outer = requestAnimationFrame(() => (inner = requestAnimationFrame(() => setPainted(true))));
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
    };
  }, [ready, painted]);
  return painted;
}

/**
 * Re-reads the run's chart series when live metric points arrive, at most every `ms` (the daemon pushes
 * each batch as it is ingested; one read per window keeps the page under the 500 ms budget).
 */
export function useThrottledRefetch(refetch: () => void, ms = 200) {
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  return () => {
    if (pending.current) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    pending.current = setTimeout(() => {
      pending.current = null;
      last.current = Date.now();
      refetch();
    }, wait);
  };
}

/**
 * Save the full-resolution CSV of runs × keys: the browser downloads it straight from the daemon, which
 * streams it as it reads (daemon/src/api/metrics-csv.ts), so a large export never sits whole in the page.
 */
export function useCsvExport() {
  return saveMetricsCsv;
}

function saveMetricsCsv(runs: readonly string[], keys: readonly string[], filename: string): void {
  const a = document.createElement("a");
  a.href = metricsCsvUrl(runs, keys, filename);
  a.download = filename;
  a.click();
}
