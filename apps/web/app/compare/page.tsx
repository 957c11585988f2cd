import type { Metadata } from "next";
import { Suspense } from "react";
import { CompareView } from "../../components/compare-view.tsx";
import { StatePanel } from "../../components/state-panel.tsx";

export const metadata: Metadata = { title: "Compare runs" };

export default function ComparePage() {
  return (
    <Suspense fallback={<StatePanel kind="loading" title="Loading…" />}>
      <CompareView />
    </Suspense>
  );
}
