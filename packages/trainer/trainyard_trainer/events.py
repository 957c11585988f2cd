"""The event protocol: one JSON object per line on the event stream (stdout), flushed per line.

Human-readable logs go to stderr; nothing else may write to the event stream.
"""
import json
import math
import os
import sys
import threading
import time


def finite_json(value):
    # JSON has no NaN/Infinity; a non-finite number becomes null rather than an unparseable line.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value


def metric_value(value):
    """A metric value on the wire: JSON numbers cannot be NaN or infinite, yet a diverged loss is exactly that
    and must be seen, so those go by name, as packages/protocol/src/metric-values.ts reads them."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


class EventWriter:
    """Writes protocol events to `stream`; `log()` also mirrors the message to stderr for trainer.log."""

    def __init__(self, stream=None, stderr=None):
        self.stream = stream if stream is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self._lock = threading.Lock()

    def emit(self, type_, **fields):
        event = {"type": type_, **finite_json(fields)}
        line = json.dumps(event, separators=(",", ":"), allow_nan=False)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()
        return event

    def status(self, **fields):
        return self.emit("status", state="running", **fields)

    def metrics(self, step, epoch, phase, values):
        return self.emit("metrics", step=step, epoch=epoch, phase=phase, time=round(time.time(), 3),
                         values={k: metric_value(v) for k, v in values.items()})

    def log(self, message, level="info"):
        self.stderr.write(f"[{level}] {message}\n")
        self.stderr.flush()
        return self.emit("log", level=level, message=message)

    def done(self, state, **fields):
        return self.emit("done", state=state, **fields)


class NullEventWriter(EventWriter):
    """For DDP ranks other than 0: events are dropped (rank 0 reports), error logs still reach stderr."""

    def __init__(self, stderr=None):
        super().__init__(stream=_NullStream(), stderr=stderr)

    def log(self, message, level="info"):
        if level in ("warning", "error"):
            self.stderr.write(f"[rank {os.environ.get('RANK', '?')}] [{level}] {message}\n")
            self.stderr.flush()
        return self.emit("log", level=level, message=message)


class ListEventWriter(EventWriter):
    """Collects events in memory (used by tests that run the trainer in-process)."""

    def __init__(self, stderr=None):
        super().__init__(stream=_NullStream(), stderr=stderr)
        self.events = []

    def emit(self, type_, **fields):
        event = super().emit(type_, **fields)
        self.events.append(json.loads(json.dumps(event)))
        return event


class _NullStream:
    def write(self, _):
        pass

    def flush(self):
        pass
