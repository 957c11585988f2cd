"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "../lib/trpc.ts";

/**
 * A sweep kept live: sweeps.get read once, then re-read on every sweeps.watch event for it (the event carries
 * only the id; a trial's state change, a tell or the next trial all wake it). After a reconnect the sweep is
 * re-read, since events may have been missed. Parameter importance is asked again only when another trial
 * completes: each ask runs fANOVA in the sweep's Optuna process.
 */
export function useSweepLive(id: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const getKey = trpc.sweeps.get.queryKey({ id });
  const sweep = useQuery(trpc.sweeps.get.queryOptions({ id }, { staleTime: Infinity, retry: false }));
  const completed = sweep.data?.trials.filter((t) => t.outcome === "complete").length ?? 0;
  const importance = useQuery(trpc.sweeps.importance.queryOptions({ id }, { enabled: completed > 0, staleTime: Infinity, retry: false }));

  const starts = useRef(0);
  const live = useSubscription(
    trpc.sweeps.watch.subscriptionOptions(
      { id },
      {
        onStarted: () => {
          starts.current += 1;
          if (starts.current > 1) void queryClient.invalidateQueries({ queryKey: getKey, exact: true });
        },
        onData: () => void queryClient.invalidateQueries({ queryKey: getKey, exact: true }),
      },
    ),
  );

  const lastCompleted = useRef(completed);
  useEffect(() => {
    if (completed === lastCompleted.current) return;
    lastCompleted.current = completed;
    void queryClient.invalidateQueries({ queryKey: trpc.sweeps.importance.queryKey({ id }), exact: true });
  }, [completed]);

  return { sweep, importance, live };
}
