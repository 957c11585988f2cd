"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef } from "react";
import { RUN_CHART_KEYS, SERIES_MAX_POINTS } from "../lib/chart-panels.ts";
import { appendLogLine } from "../lib/log-tail.ts";
import { isFinal } from "../lib/run-progress.ts";
import { upsertRun } from "../lib/runs-list.ts";
import { appendLivePoints, lastStep, mergeSeries, type LivePoint, type SeriesMap } from "../lib/series.ts";
import { useTRPC, useTRPCClient } from "../lib/trpc.ts";

export const LOG_LIMIT = 300;

/**
 * Everything the run page shows, kept live: the run detail, its chart series and its log tail are read
 * once, then runs.watch pushes land in the same TanStack Query cache entries (points appended and deduped
 * by step, never re-read). After a reconnect only the gap is read (series fromStep the last step held).
 */
export function useRunLive(id: string) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();

  const seriesInput = { id, keys: [...RUN_CHART_KEYS], maxPoints: SERIES_MAX_POINTS };
  const seriesKey = trpc.runs.series.queryKey(seriesInput);
  const detailKey = trpc.runs.get.queryKey({ id });
  const logsKey = trpc.runs.logs.queryKey({ id, limit: LOG_LIMIT });
  const listKey = trpc.runs.list.queryKey();

  // Live data never goes stale by time; it is kept current by the subscription.
  const detail = useQuery(trpc.runs.get.queryOptions({ id }, { staleTime: Infinity, retry: false }));
  const series = useQuery(trpc.runs.series.queryOptions(seriesInput, { staleTime: Infinity }));
  const logs = useQuery(trpc.runs.logs.queryOptions({ id, limit: LOG_LIMIT }, { staleTime: Infinity }));

  // Points pushed before the first series read has answered wait here, then merge (dedupe makes the
  // overlap with what the read already returned harmless).
  const early = useRef<LivePoint[]>([]);
  const starts = useRef(0);

  const localLogIds = useRef(0);

  function addPoints(points: LivePoint[]) {
    const current = queryClient.getQueryData<SeriesMap>(seriesKey);
    if (!current) {
      early.current.push(...points);
      return;
    }
    const next = appendLivePoints(current, points, RUN_CHART_KEYS, SERIES_MAX_POINTS);
    if (next !== current) queryClient.setQueryData(seriesKey, next);
  }

  const hasSeries = series.data !== undefined;
  useEffect(() => {
    if (hasSeries && early.current.length) {
      const points = early.current;
      early.current = [];
      addPoints(points);
    }
    // addPoints reads the cache itself; only the arrival of the first read matters here
  }, [hasSeries]);

  async function fillGap() {
    const held = queryClient.getQueryData<SeriesMap>(seriesKey);
    if (!held) return;
    const from = lastStep(held);
    const fresh = await client.runs.series.query({ ...seriesInput, fromStep: from ?? undefined });
    queryClient.setQueryData<SeriesMap>(seriesKey, (old) => {
      if (!old) return old;
      const next: SeriesMap = { ...old };
      for (const [key, points] of Object.entries(fresh)) next[key] = mergeSeries(old[key] ?? [], points);
      return next;
    });
  }

  const live = useSubscription(
    trpc.runs.watch.subscriptionOptions(
      { id },
      {
        onStarted: () => {
          starts.current += 1;
          if (starts.current > 1) {
            void fillGap();
            void queryClient.invalidateQueries({ queryKey: detailKey, exact: true });
            void queryClient.invalidateQueries({ queryKey: logsKey, exact: true });
          }
        },
        onData: (event) => {
          switch (event.type) {
            case "run": {
              const run = event.run;
              const before = queryClient.getQueryData(detailKey);
              queryClient.setQueryData(detailKey, (old) => (old ? { ...old, ...run } : old));
              queryClient.setQueryData(listKey, (old) => (old ? upsertRun(old, run) : old));
              // error, stderr tail, exit code and final checkpoints are only in the full detail
              if (before && before.status !== run.status && isFinal(run.status))
                void queryClient.invalidateQueries({ queryKey: detailKey, exact: true });
              break;
            }
            case "metrics":
              addPoints(event.points);
              break;
            case "log": {
              // lines pushed without a store id get a local negative one, so they never collide with stored ids
              const line = { id: event.id ?? -++localLogIds.current, level: event.level, message: event.message, time: event.time };
              queryClient.setQueryData(logsKey, (old) => (old ? appendLogLine(old, line, LOG_LIMIT) : old));
              break;
            }
            case "checkpoint":
              void queryClient.invalidateQueries({ queryKey: detailKey, exact: true });
              break;
            case "samples":
              // a new sampled evaluation: the gallery's list re-reads (its newest entry is the default view)
              void queryClient.invalidateQueries({ queryKey: trpc.charts.sampleEvaluations.queryKey({ id: event.runId }) });
              break;
          }
        },
      },
    ),
  );

  return { detail, series, logs, live };
}
