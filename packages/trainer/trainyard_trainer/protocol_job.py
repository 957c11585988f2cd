"""How a trainer command that the daemon follows (train, evaluate) runs: SIGTERM / SIGINT set a stop flag the
loop checks after every step and evaluation batch, and however the job ends is reported through the protocol
(a `done` event) with the exit code the daemon reads: 0 completed or interrupted, 1 crashed, 2 bad spec.
"""
import signal
import sys
import traceback

from .spec import SpecError


class StopFlag:
    """Set by SIGTERM/SIGINT; the loop checks it after every optimizer step and evaluation batch."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        self.requested = True
        sys.stderr.write(f"signal {signum} received: stopping after the current step\n")
        sys.stderr.flush()


def run_job(events, body, reported=(), cleanup=None):
    """Runs body(stop) with the stop signals handled; returns its exit code, or the failure's. `reported`:
    exception types whose message is the whole story (no traceback on stderr)."""
    stop = StopFlag()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return body(stop)
    except SpecError as e:
        events.log(str(e), level="error")
        events.done("failed", error=str(e))
        return 2
    except reported as e:
        events.done("failed", error=str(e))
        return 1
    except Exception as e:  # noqa: BLE001 - report any crash through the protocol before exiting
        traceback.print_exc(file=sys.stderr)
        events.done("failed", error=f"{type(e).__name__}: {e}")
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if cleanup:
            cleanup()
