import type { Metadata } from "next";
import { SweepsListView } from "../../components/sweeps/sweeps-list-view.tsx";

export const metadata: Metadata = { title: "Sweeps" };

export default function SweepsPage() {
  return <SweepsListView />;
}
