// tRPC setup: context, error shape (every validation error names its field path), procedure builders.
import { initTRPC, TRPCError } from "@trpc/server";
import { ConfigError, formatPath, type ConfigIssue } from "@trainyard/config";
import type { Daemon } from "../daemon.ts";

export interface Context {
  daemon: Daemon;
}

function issuesOf(cause: unknown): ConfigIssue[] | undefined {
  if (cause instanceof ConfigError) return cause.issues;
  const zodIssues = (cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues;
  if (Array.isArray(zodIssues)) return zodIssues.map((i) => ({ path: formatPath(i.path ?? []), message: i.message }));
  return undefined;
}

const t = initTRPC.context<Context>().create({
  // Live streams: a ping keeps proxies from closing quiet connections; the client reconnects when it
  // hears nothing for a while.
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
  errorFormatter({ shape, error }) {
    const issues = issuesOf(error.cause);
    return {
      ...shape,
      message: issues && error.code === "BAD_REQUEST" && !(error.cause instanceof ConfigError)
        ? issues.map((i) => `${i.path || "(input)"}: ${i.message}`).join("; ")
        : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, issues: issues ?? null },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

/** Throw a user-facing BAD_REQUEST that carries field issues. */
export function badRequest(err: ConfigError): never {
  throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
}

export function notFound(message: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message });
}
