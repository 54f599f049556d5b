import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CorpusDoc {
  id: string;
  label: 'mass' | 'regular';
  family: string;
  text: string;
}

export const DEFAULT_CORPUS = fileURLToPath(new URL('../../../shared/corpus/real-dev.jsonl', import.meta.url));

export function readCorpus(path = DEFAULT_CORPUS): CorpusDoc[] {
  if (!existsSync(path)) throw new Error(`corpus not found: ${path} (pass its path as the first argument)`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const d = JSON.parse(l) as CorpusDoc;
      if (typeof d.text !== 'string' || (d.label !== 'mass' && d.label !== 'regular')) throw new Error(`${path}: line ${i + 1}: needs text and label mass|regular`);
      return d;
    });
}

export interface BinaryCounts {
  mass: number;
  massHigh: number;
  regular: number;
  regularHigh: number;
}

export const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`);

/**
 * The 95 % Wilson score interval of a proportion k/n: what a count from a sample says about the
 * rate, e.g. 2 false hits in 2 000 probes (0.10 %) is 0.03–0.36 %.
 */
export function wilson95(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, mid - half), Math.min(1, mid + half)];
}

/** A fixed-width text table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}
