import type { Metadata } from "next";
import { DatasetView } from "../../../components/datasets/dataset-view.tsx";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function DatasetPage({ params }: { params: Promise<{ name: string }> }) {
  return <DatasetView name={decodeURIComponent((await params).name)} />;
}
