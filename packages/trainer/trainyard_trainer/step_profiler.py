"""training.profile: {steps: N, skip: S}: a torch.profiler trace of N training steps after the first S, written
as a Chrome trace (chrome://tracing, Perfetto) to runs/<id>/profile/trace.json, which the run page offers for
download. Lightning's PyTorchProfiler does the same; the first steps are skipped because they include the
allocator's and cuDNN's warm-up. Only rank 0 profiles."""
import os

import torch

TRACE_FILE = os.path.join("profile", "trace.json")


class StepProfiler:
    def __init__(self, config, run_dir, device, is_main, events):
        self.events = events
        self.profile = None
        p = config["training"]["profile"]
        if p is None or not is_main:
            return
        self.path = os.path.join(run_dir, TRACE_FILE)
        self.steps, skip = int(p["steps"]), int(p["skip"])
        activities = [torch.profiler.ProfilerActivity.CPU]
        if device.type == "cuda":
            activities.append(torch.profiler.ProfilerActivity.CUDA)
        # a warm-up step is traced and dropped (torch's advice), so `skip` = wait + warmup
        schedule = torch.profiler.schedule(wait=max(0, skip - 1), warmup=min(1, skip), active=self.steps, repeat=1)
        self.profile = torch.profiler.profile(activities=activities, schedule=schedule, on_trace_ready=self._save)
        self.profile.__enter__()
        self.done = False

    def _save(self, prof):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        prof.export_chrome_trace(self.path)
        self.done = True
        self.events.log(f"profiler trace of {self.steps} training steps written to {self.path} "
                        f"({os.path.getsize(self.path):,} bytes); the run page offers it for download")

    def step(self):
        """After every optimizer step; the trace is written once the steps are recorded."""
        if self.profile is None:
            return
        self.profile.step()
        if self.done:
            self.close()

    def close(self):
        if self.profile is not None:
            profile, self.profile = self.profile, None
            profile.__exit__(None, None, None)
            if not self.done:
                self.events.log(f"training ended before the profiler recorded {self.steps} steps: no trace written",
                                level="warning")
