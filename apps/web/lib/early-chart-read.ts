// Server-side only: starts the daemon's chart read for a page while the browser is still loading the
// page's code (half a second or more on a busy machine), so the read and the page load overlap. The
// daemon (which serves this app in-process) keeps the result for the browser's identical request
// (charts.warm). Best effort: any failure only means the browser's own request does the read.

/** Asks the daemon to start reading these series; returns at once. */
export function startChartRead(input: { runs: string[]; keys: string[]; maxPoints: number }, incoming: Headers): void {
  const base = process.env.TRAINYARD_SELF_URL;
  if (!base || !input.runs.length) return;
  // the caller's own credentials: the daemon authorises the read as it would the browser's
  const headers: Record<string, string> = {};
  for (const h of ["cookie", "authorization"]) {
    const v = incoming.get(h);
    if (v) headers[h] = v;
  }
  void fetch(`${base}/api/trpc/charts.warm?input=${encodeURIComponent(JSON.stringify(input))}`, { headers, cache: "no-store" })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}
