import type { Metadata } from "next";
import { RunView } from "../../../components/run-view.tsx";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${decodeURIComponent(id)}` };
}

export default async function RunPage({ params }: Props) {
  const { id } = await params;
  return <RunView id={decodeURIComponent(id)} />;
}
