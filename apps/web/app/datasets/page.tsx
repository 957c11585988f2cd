import type { Metadata } from "next";
import { DatasetsListView } from "../../components/datasets/datasets-list-view.tsx";

export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  return <DatasetsListView />;
}
