import type { Metadata } from "next";
import { Suspense } from "react";
import { NewRunForm } from "../../../components/new-run-form.tsx";

export const metadata: Metadata = { title: "New run" };

export default function NewRunPage() {
  return (
    <Suspense>
      <NewRunForm />
    </Suspense>
  );
}
