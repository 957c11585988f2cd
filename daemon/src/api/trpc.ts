// tRPC setup: context, error shape (every validation error names its field path), procedure builders.
import { initTRPC, TRPCError } from "@trpc/server";
import { ConfigError, formatPath, type ConfigIssue } from "@trainyard/config";
import type { Daemon } from "../daemon.ts";
import type { AuthUser } from "../auth/request-user.ts";

export interface Context {
  daemon: Daemon;
  /** Who is calling; the server refuses the request before any procedure runs when nobody is signed in. */
  user: AuthUser;
  authRequired: boolean;
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
/**
 * Every procedure. "Public" to lab members: the context is only created for a known user (a token, the
 * session cookie, or the machine itself on a loopback-only daemon), so there is no anonymous procedure.
 */
export const publicProcedure = t.procedure;

/** Owner-or-admin rule for changing a run (cancel, resume, delete). */
export function assertMayChange(ctx: Context, run: { id: string; owner: string }, action: string): void {
  if (ctx.user.admin || ctx.user.name === run.owner) return;
  throw new TRPCError({ code: "FORBIDDEN", message: `run ${run.id} belongs to ${run.owner}; only ${run.owner} or an admin may ${action} it` });
}

/** Throw a user-facing BAD_REQUEST that carries field issues. */
export function badRequest(err: ConfigError): never {
  throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
}

export function notFound(message: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message });
}
