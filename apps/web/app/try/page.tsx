import type { Metadata } from "next";
import { TryModelView } from "../../components/try/try-model-view.tsx";

export const metadata: Metadata = { title: "Try a model" };

export default function TryPage() {
  return <TryModelView />;
}
