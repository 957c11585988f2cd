"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "../lib/trpc.ts";
import { useDebouncedValue } from "./use-debounced-value.ts";

/** Buckets per series: about one per horizontal pixel of a chart. */
export const CHART_MAX_POINTS = 1000;

/**
 * Buckets per series when many runs share a chart: 50 overlaid lines of 1,000 points cannot be told apart
 * anyway, and the payload and the draw grow with runs × points. At least 300, at most CHART_MAX_POINTS.
 */
export function pointsPerSeries(runs: number): number {
  return Math.max(300, Math.min(CHART_MAX_POINTS, Math.floor(20_000 / Math.max(1, runs))));
}
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
 * Bucketed series of several runs from charts.series. The smoothing weight is sent (debounced) so the
 * daemon computes the exact full-resolution EMA; until its answer arrives the previous data stays on
 * screen and the chart recomputes an approximate EMA from bucket means at once (see chart-lines.ts).
 * `serverWeight` tells which weight the data on screen was read with.
 */
export function useChartSeries({ runs, keys, smoothing, range, enabled = true }: Options) {
  const trpc = useTRPC();
  const weight = useDebouncedValue(smoothing, EXACT_SMOOTHING_DELAY_MS);
  const input = {
    runs: [...runs],
    keys: [...keys],
    maxPoints: pointsPerSeries(runs.length),
    smoothing: weight,
    ...(range ? { fromStep: Math.floor(range[0]), toStep: Math.ceil(range[1]) } : {}),
  };
  const query = useQuery(
    trpc.charts.series.queryOptions(input, { enabled: enabled && runs.length > 0 && keys.length > 0, placeholderData: keepPreviousData, staleTime: Infinity }),
  );
  const serverWeight = query.isPlaceholderData ? -1 : weight;
  return { query, serverWeight, queryKey: trpc.charts.series.queryKey(input) };
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

/** Fetch the full-resolution CSV of runs × keys and save it as a file. */
export function useCsvExport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return async (runs: readonly string[], keys: readonly string[], filename: string) => {
    const text = await queryClient.fetchQuery(trpc.charts.csv.queryOptions({ runs: [...runs], keys: [...keys] }, { staleTime: 0 }));
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
}
