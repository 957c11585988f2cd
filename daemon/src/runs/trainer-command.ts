// The trainer's command line: one process per run. With several GPUs in CUDA_VISIBLE_DEVICES the trainer
// starts its own DDP ranks (trainyard_trainer/ddp_launch.py, what `torchrun --standalone` does), so the
// daemon keeps one pid to signal and gets rank 0's exit code; torchrun itself crashes on torch 1.13 with
// Python 3.11 and exits non-zero after a clean SIGTERM stop. TRAINYARD_TRAINER_CMD replaces the command
// (tests and benchmarks point it at a fake trainer script).
export function trainerCommand(python: string, specPath: string, override = process.env.TRAINYARD_TRAINER_CMD): string[] {
  if (override) return [...parseCommand(override), "--spec", specPath];
  return [python, "-m", "trainyard_trainer", "train", "--spec", specPath];
}

/** A JSON array of arguments, or words split on spaces. */
export function parseCommand(cmd: string): string[] {
  const text = cmd.trim();
  if (text.startsWith("[")) {
    const parts = JSON.parse(text) as unknown;
    if (!Array.isArray(parts) || !parts.length || !parts.every((p) => typeof p === "string"))
      throw new Error(`TRAINYARD_TRAINER_CMD: expected a JSON array of strings, got ${text.slice(0, 200)}`);
    return parts;
  }
  return text.split(/\s+/);
}
