import type { TRPCSubscriptionStatus } from "@trpc/tanstack-react-query";

const LABEL: Record<TRPCSubscriptionStatus, string> = {
  idle: "not live",
  connecting: "connecting…",
  pending: "live",
  error: "disconnected",
};

/** Whether the page is receiving pushes from the daemon. */
export function LiveIndicator({ status }: { status: TRPCSubscriptionStatus }) {
  return (
    <span className={`live live-${status}`} data-testid="live-indicator" data-state={status}>
      <span className="live-dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}
