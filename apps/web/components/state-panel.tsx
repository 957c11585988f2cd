import type { ReactNode } from "react";

interface Props {
  kind: "loading" | "empty" | "error";
  title: string;
  children?: ReactNode;
}

/** The loading, empty and error states of a page or panel, in one look. */
export function StatePanel({ kind, title, children }: Props) {
  return (
    <div className={`state-panel state-${kind}`} role={kind === "error" ? "alert" : "status"} data-testid={`state-${kind}`}>
      {kind === "loading" && <span className="spinner" aria-hidden="true" />}
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}
