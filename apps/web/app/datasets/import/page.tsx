import type { Metadata } from "next";
import { DatasetImportForm } from "../../../components/datasets/dataset-import-form.tsx";

export const metadata: Metadata = { title: "Import a dataset" };

export default function DatasetImportPage() {
  return <DatasetImportForm />;
}
