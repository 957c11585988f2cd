import type { Metadata } from "next";
import { ModelsListView } from "../../components/models/models-list-view.tsx";

export const metadata: Metadata = { title: "Models" };

export default function ModelsPage() {
  return <ModelsListView />;
}
