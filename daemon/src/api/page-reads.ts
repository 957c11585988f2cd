// Reads a dashboard page will ask for as soon as its code runs, started when the daemon serves the page's
// HTML: the compare view's charts.series, through charts.warm, so the read overlaps the half second or
// more the browser spends loading the page's code. Which reads a page makes is the contract the web app
// requests by (packages/protocol/src/series-request.ts); the daemon runs them as the signed-in caller.
import { pageSeriesReads } from "@trainyard/protocol/series-request";
import type { AuthUser } from "../auth/request-user.ts";
import type { Daemon } from "../daemon.ts";
import { appRouter } from "./router.ts";

export function startPageReads(daemon: Daemon, url: string, user: AuthUser | null, authRequired: boolean): void {
  if (!user) return;
  let reads;
  try {
    const u = new URL(url, "http://page");
    reads = pageSeriesReads(u.pathname, u.searchParams);
  } catch {
    return;
  }
  if (!reads.length) return;
  const caller = appRouter.createCaller({ daemon, user, authRequired });
  // best effort: a bad selection (unknown runs, too many) is the page's own request to report
  for (const input of reads) void caller.charts.warm(input).catch(() => undefined);
}
