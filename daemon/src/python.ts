// Find the Python interpreter that runs trainers: explicit setting first, then probing, and a clear
// message when none has torch.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const TRAINER_PATH = fileURLToPath(new URL("../../packages/trainer", import.meta.url));

export type PythonInfo =
  | { ok: true; path: string; python: string; torch: string; torchvision: string; cuda: boolean; devices: unknown[] }
  | { ok: false; tried: { path: string; error: string }[]; message: string };

export const NO_TORCH_HINT =
  "No Python with PyTorch was found. Install it (Debian/Ubuntu: `sudo apt-get install -y python3-torch python3-torchvision python3-sklearn`, " +
  "or `pip install torch torchvision scikit-learn` for CUDA builds), or point Trainyard at an interpreter with TRAINYARD_PYTHON=/path/to/python.";

function probe(path: string): Promise<PythonInfo> {
  return new Promise((resolve) => {
    execFile(
      path,
      ["-m", "trainyard_trainer", "probe"],
      { env: { ...process.env, PYTHONPATH: TRAINER_PATH }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) {
          const reason = (stderr || err.message).trim().split("\n").slice(-1)[0] ?? "failed";
          return resolve({ ok: false, tried: [{ path, error: reason }], message: reason });
        }
        try {
          const line = stdout.trim().split("\n").pop()!;
          resolve({ ok: true, path, ...JSON.parse(line) });
        } catch {
          resolve({ ok: false, tried: [{ path, error: `unreadable probe output: ${stdout.slice(0, 200)}` }], message: "bad probe" });
        }
      },
    );
  });
}

export async function findPython(explicit?: string): Promise<PythonInfo> {
  const configured = explicit ?? process.env.TRAINYARD_PYTHON;
  const candidates = configured ? [configured] : ["python3", "/usr/bin/python3", "/usr/local/bin/python3", "python"];
  const tried: { path: string; error: string }[] = [];
  for (const path of [...new Set(candidates)]) {
    const info = await probe(path);
    if (info.ok) return info;
    tried.push(...info.tried);
  }
  const detail = tried.map((t) => `  ${t.path}: ${t.error}`).join("\n");
  const message = configured
    ? `TRAINYARD_PYTHON=${configured} cannot run the trainer:\n${detail}\n${NO_TORCH_HINT}`
    : `${NO_TORCH_HINT}\nTried:\n${detail}`;
  return { ok: false, tried, message };
}
