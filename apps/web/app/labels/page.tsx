import type { Metadata } from "next";
import { Suspense } from "react";
import { LabelSetEditor } from "../../components/datasets/label-set-editor.tsx";

export const metadata: Metadata = { title: "Label sets" };

export default function LabelsPage() {
  return (
    <Suspense>
      <LabelSetEditor />
    </Suspense>
  );
}
