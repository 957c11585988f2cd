// A DermaDetect-sized synthetic manifest: 370k images, 143k cases, 90k patients, 1,151 diagnoses with a
// long-tailed (Zipf) frequency, some multi-label cases, and 20 metadata columns of every kind.
import { createWriteStream } from "node:fs";
import { mulberry32 } from "../../packages/data/src/seeded-random.ts";

export const SYNTH = { images: 370_000, cases: 143_000, patients: 90_000, diagnoses: 1151 };

export const diagnosisName = (k: number) => `dx_${String(k).padStart(4, "0")}`;

export async function writeSyntheticManifest(file: string, scale = 1): Promise<{ rows: number }> {
  const rand = mulberry32(42);
  const images = Math.round(SYNTH.images * scale), cases = Math.round(SYNTH.cases * scale), patients = Math.round(SYNTH.patients * scale);
  // Zipf over diagnoses: cumulative weights 1/(k+1)
  const cum: number[] = [];
  let s = 0;
  for (let k = 0; k < SYNTH.diagnoses; k++) cum.push((s += 1 / (k + 1)));
  const drawDx = () => {
    const u = rand() * s;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return diagnosisName(lo);
  };
  const sites = ["back", "arm", "leg", "face", "trunk", "scalp", "hand", "foot"];
  const out = createWriteStream(file);
  const meta = ["age", "sex", "site", "fitzpatrick", "duration_days", ...Array.from({ length: 12 }, (_, i) => `q${i}`), "symptoms", "height", "weight"];
  out.write(["image_id", "case_id", "patient_id", "diagnosis", ...meta].join(",") + "\n");
  let row = 0;
  for (let c = 0; c < cases; c++) {
    const patient = `P${Math.floor((c * patients) / cases)}`;
    const dx = rand() < 0.1 ? `${drawDx()}|${drawDx()}` : drawDx();
    const perCase = Math.max(1, Math.round(((images - row) / (cases - c)) * (0.5 + rand())));
    const age = rand() < 0.05 ? "" : String(Math.floor(rand() * 90));
    const sex = rand() < 0.03 ? "" : rand() < 0.5 ? "female" : "male";
    const site = sites[Math.floor(rand() * sites.length)];
    const qs = Array.from({ length: 12 }, () => (rand() < 0.2 ? "" : rand() < 0.5 ? "yes" : "no"));
    const symptoms = ["itch", "pain", "bleed"].filter(() => rand() < 0.3).join("|");
    const cells = [age, sex, site, String(1 + Math.floor(rand() * 6)), String(Math.floor(rand() * 400)), ...qs, symptoms, String(150 + Math.floor(rand() * 50)), String(50 + Math.floor(rand() * 50))];
    let chunk = "";
    for (let k = 0; k < perCase && row < images; k++, row++) chunk += [`img${row}.jpg`, `C${c}`, patient, dx, ...cells].join(",") + "\n";
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return { rows: row };
}
