"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { upsertRun } from "../lib/runs-list.ts";
import { useTRPC, type RunSummary } from "../lib/trpc.ts";

/**
 * Keeps the cached runs list current from the daemon's pushes (runs.watchList): every status or progress
 * change of any run lands in the TanStack Query cache; nothing polls. On each (re)connect the list is
 * read once, so changes made while disconnected are not missed.
 */
export function useRunsListLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.runs.list.queryKey();
  return useSubscription(
    trpc.runs.watchList.subscriptionOptions(undefined, {
      onStarted: () => void queryClient.invalidateQueries({ queryKey: listKey, exact: true }),
      onData: (event) => {
        if (event.type !== "run") return;
        const run: RunSummary = event.run;
        queryClient.setQueryData(listKey, (old) => (old ? upsertRun(old, run) : old));
      },
    }),
  );
}
