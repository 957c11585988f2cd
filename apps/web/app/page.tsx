import type { Metadata } from "next";
import { RunsListView } from "../components/runs-list-view.tsx";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return <RunsListView />;
}
