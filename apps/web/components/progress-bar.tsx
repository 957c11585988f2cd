interface Props {
  /** Fraction done, 0..1. */
  value: number;
  label: string;
  status?: string;
}

export function ProgressBar({ value, label, status }: Props) {
  const pct = Math.round(value * 1000) / 10;
  return (
    <div
      className={`progress${status ? ` progress-${status}` : ""}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
