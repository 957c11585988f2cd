// The typed tRPC boundary: the client, its links, and the output types the pages render.
// Only the AppRouter *type* comes from the daemon; nothing of it is bundled into the browser.
import type { AppRouter } from "@trainyard/daemon/router";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type RunSummary = RouterOutputs["runs"]["list"][number];
export type RunDetail = RouterOutputs["runs"]["get"];
export type RunCheckpoint = RunDetail["checkpoints"][number];
export type SeriesByKey = RouterOutputs["runs"]["series"];
export type LogLine = RouterOutputs["runs"]["logs"][number];
export type ExampleConfig = RouterOutputs["system"]["configs"][number];
export type ValidationResult = RouterOutputs["runs"]["validate"];
export type SweepSummary = RouterOutputs["sweeps"]["get"];
export type SweepTrial = SweepSummary["trials"][number];
export type SweepValidation = RouterOutputs["sweeps"]["validate"];

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Reads that take long enough to hold a whole batch back: sent alone, so lighter calls land first. */
const UNBATCHED = new Set(["charts.series", "charts.smoothing"]);

/** Same origin as the page: the daemon mounts tRPC at /api/trpc (SSE for subscriptions). */
export function createTrainyardClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: "/api/trpc" }),
        false: splitLink({
          condition: (op) => UNBATCHED.has(op.path),
          true: httpLink({ url: "/api/trpc" }),
          false: httpBatchLink({ url: "/api/trpc" }),
        }),
      }),
    ],
  });
}

export type TrainyardClient = ReturnType<typeof createTrainyardClient>;

export function isTrainyardError(e: unknown): e is TRPCClientError<AppRouter> {
  return e instanceof TRPCClientError;
}
