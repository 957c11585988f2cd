import type { Metadata } from "next";
import { SweepView } from "../../../components/sweeps/sweep-view.tsx";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Sweep ${decodeURIComponent(id)}` };
}

export default async function SweepPage({ params }: Props) {
  const { id } = await params;
  return <SweepView id={decodeURIComponent(id)} />;
}
