export function StatusBadge({ status, testId = "run-status" }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId} data-status={status}>
      {status === "running" && <span className="pulse" aria-hidden="true" />}
      {status}
    </span>
  );
}
