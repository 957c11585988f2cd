import type { Metadata } from "next";
import { headers } from "next/headers";
import { Suspense } from "react";
import { CompareView } from "../../components/compare-view.tsx";
import { StatePanel } from "../../components/state-panel.tsx";
import { startChartRead } from "../../lib/early-chart-read.ts";
import { compareSeriesInput } from "../../lib/series-request.ts";

export const metadata: Metadata = { title: "Compare runs" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ComparePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // the charts' read starts now, while the browser loads the page's code (see early-chart-read.ts)
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) if (typeof v === "string") params.set(k, v);
  startChartRead(compareSeriesInput(params), await headers());
  return (
    <Suspense fallback={<StatePanel kind="loading" title="Loading…" />}>
      <CompareView />
    </Suspense>
  );
}
