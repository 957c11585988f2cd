import Link from "next/link";
import { StatePanel } from "./state-panel.tsx";

/**
 * A page's one object could not be read: "No run "x"" when the daemon does not know it, else the error's
 * message; a link back to the list either way.
 */
export function LoadError({ error, noun, id, back }: {
  error: { message: string; data?: { code?: string } | null };
  noun: string;
  id: string;
  back: { href: string; label: string };
}) {
  const missing = error.data?.code === "NOT_FOUND";
  return (
    <StatePanel kind="error" title={missing ? `No ${noun} "${id}"` : `Could not load the ${noun}`}>
      {!missing && <p className="mono small">{error.message}</p>}
      <p><Link href={back.href}>{back.label}</Link></p>
    </StatePanel>
  );
}
