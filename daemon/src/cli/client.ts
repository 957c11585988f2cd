// The CLI's typed tRPC client: finds the daemon through TRAINYARD_URL and TRAINYARD_TOKEN.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter } from "../api/router.ts";

export const daemonUrl = () => (process.env.TRAINYARD_URL ?? `http://127.0.0.1:${process.env.TRAINYARD_PORT ?? 7070}`).replace(/\/$/, "");

export function makeClient(url = daemonUrl()) {
  const token = process.env.TRAINYARD_TOKEN;
  const headers = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${url}/api/trpc`,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers() } }) }),
        }),
        false: httpBatchLink({ url: `${url}/api/trpc`, headers }),
      }),
    ],
  });
}

export type Client = ReturnType<typeof makeClient>;

/** A message for the terminal: field issues one per line, and what to do when the daemon is down. */
export function describeError(e: unknown): string {
  if (e instanceof TRPCClientError) {
    const issues = (e.data as { issues?: { path: string; message: string }[] | null } | undefined)?.issues;
    if (issues?.length) return issues.map((i) => `${i.path || "(top level)"}: ${i.message}`).join("\n");
    const cause = (e.cause as { cause?: { code?: string } } | undefined)?.cause;
    if (cause?.code === "ECONNREFUSED" || /fetch failed/.test(e.message))
      return `cannot reach the daemon at ${daemonUrl()}: start it with \`trainyard daemon\` (or set TRAINYARD_URL)`;
    return e.message;
  }
  return (e as Error).message ?? String(e);
}
