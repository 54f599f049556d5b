import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where OCR comes from: Debian's tesseract-ocr with tesseract-ocr-pol, pages rasterised by poppler's pdftoppm. */
export interface OcrTools {
  tesseract: string;
  pdftoppm: string;
  lang: string;
  /** resolution pages are rasterised at (for an A4 page: a page's longer side is scaled to 11.7 in at this) */
  dpi: number;
  /** address space each OCR process may use, MB (prlimit; an image bomb fails instead of exhausting memory) */
  memoryMb: number;
}

export const DEFAULT_OCR_TOOLS: OcrTools = { tesseract: 'tesseract', pdftoppm: 'pdftoppm', lang: 'pol', dpi: 300, memoryMb: 2048 };

const hasPrlimit = !spawnSync('prlimit', ['--version'], { encoding: 'utf8' }).error;

let availability: Map<string, string | null> | null = null;

/** Why OCR cannot run here (a tool or the language missing), or null when it can. Checked once per process. */
export function ocrProblem(tools: OcrTools = DEFAULT_OCR_TOOLS): string | null {
  availability ??= new Map();
  const key = `${tools.tesseract}|${tools.pdftoppm}|${tools.lang}`;
  if (!availability.has(key)) {
    const langs = spawnSync(tools.tesseract, ['--list-langs'], { encoding: 'utf8', timeout: 10_000 });
    const pdf = spawnSync(tools.pdftoppm, ['-v'], { encoding: 'utf8', timeout: 10_000 });
    let problem: string | null = null;
    if (langs.error || langs.status !== 0) problem = `${tools.tesseract} is not installed (apt-get install tesseract-ocr tesseract-ocr-${tools.lang})`;
    else if (!`${langs.stdout}`.split('\n').some((l) => l.trim() === tools.lang)) problem = `tesseract has no "${tools.lang}" language data (apt-get install tesseract-ocr-${tools.lang})`;
    else if (pdf.error) problem = `${tools.pdftoppm} is not installed (apt-get install poppler-utils)`;
    availability.set(key, problem);
  }
  return availability.get(key)!;
}

export class OcrAborted extends Error {}

/** Pages read by OCR at once across the whole process (each tesseract takes a core). */
let running = 0;
const waiting: Array<() => void> = [];
export let ocrConcurrency = 2;
export const setOcrConcurrency = (n: number) => void (ocrConcurrency = Math.max(1, n));

/** Runs `fn` when an OCR slot is free (waiting counts against the document's OCR time). */
async function gated<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  while (running >= ocrConcurrency) {
    if (signal.aborted) throw new OcrAborted('aborted');
    await new Promise<void>((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        const i = waiting.indexOf(wake);
        if (i >= 0) waiting.splice(i, 1);
        resolve();
      };
      waiting.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Runs a tool as a child process; killed (SIGKILL, with its process group) when `signal`
 * aborts. Resolves with stdout (capped), rejects on a non-zero exit.
 */
function run(tools: OcrTools, cmd: string, args: string[], signal: AbortSignal, maxOut = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OcrAborted('aborted'));
    const [file, argv] = hasPrlimit ? ['prlimit', [`--as=${tools.memoryMb * 1024 * 1024}`, '--', cmd, ...args]] : [cmd, args];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= maxOut) out.push(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (err.length < 2000 && (err += d)));
    child.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(new OcrAborted('aborted'));
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}

/** Tesseract's text, with the page-break form feed and trailing spaces removed. */
const clean = (s: string) => s.replace(/\f/g, '').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();

/** A working folder for one document's OCR, removed afterwards. */
export async function withScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sito-ocr-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ocrImage(bytes: Uint8Array, dir: string, n: number, signal: AbortSignal, tools: OcrTools = DEFAULT_OCR_TOOLS): Promise<string> {
  const file = join(dir, `image-${n}`);
  await writeFile(file, bytes);
  return gated(signal, async () => clean(await run(tools, tools.tesseract, [file, 'stdout', '-l', tools.lang, '--psm', '3'], signal)));
}

/** Writes a PDF once for ocrPdfPage. */
export async function writePdf(bytes: Uint8Array, dir: string, n: number): Promise<string> {
  const file = join(dir, `doc-${n}.pdf`);
  await writeFile(file, bytes);
  return file;
}

/** One page of a PDF: rasterised (grey, `dpi`) by pdftoppm, read by tesseract. */
export async function ocrPdfPage(pdfFile: string, page: number, dir: string, signal: AbortSignal, tools: OcrTools = DEFAULT_OCR_TOOLS): Promise<string> {
  return gated(signal, () => ocrPage(pdfFile, page, dir, signal, tools));
}

async function ocrPage(pdfFile: string, page: number, dir: string, signal: AbortSignal, tools: OcrTools): Promise<string> {
  const prefix = join(dir, `page-${page}`);
  // scaled by the page's longer side, so that a page with a huge media box cannot make a huge bitmap
  await run(tools, tools.pdftoppm, ['-scale-to', String(Math.round(11.7 * tools.dpi)), '-gray', '-png', '-singlefile', '-f', String(page), '-l', String(page), pdfFile, prefix], signal);
  const png = `${prefix}.png`;
  try {
    return clean(await run(tools, tools.tesseract, [png, 'stdout', '-l', tools.lang, '--psm', '3'], signal));
  } finally {
    await rm(png, { force: true });
  }
}

