import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { fromSpreadsheetSafe } from '../export/spreadsheet-cell.js';
import { MAX_TEXT_LENGTH } from './petition-input.js';

/** One labelled petition of an analyst's CSV. */
export interface LabelledRow {
  /** line of the file where the record starts (1-based; the header is line 1) */
  line: number;
  text: string;
  label: 'mass' | 'regular';
  id: string | null;
  subject: string | null;
  senderEmail: string | null;
  receivedAt: string | null;
  family: string | null;
}

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: string | null,
    message: string,
  ) {
    super(`${file}${line !== null ? `: line ${line}` : ''}${column ? `, column ${column}` : ''}: ${message}`);
  }
}

/** Characters one CSV record may hold: the longest petition text plus room for the other columns. */
const MAX_RECORD = MAX_TEXT_LENGTH + 64 * 1024;

const LABELS: Record<string, 'mass' | 'regular'> = { mass: 'mass', masowa: 'mass', regular: 'regular', zwykla: 'regular', 'zwykła': 'regular' };

export interface CsvFormat {
  encoding: 'utf-8' | 'windows-1250';
  delimiter: ',' | ';' | '\t';
  bom: boolean;
}

/**
 * Sniffs the first 64 KiB: a UTF-8 BOM or valid UTF-8 means UTF-8; bytes that are not UTF-8 are read
 * as Windows-1250 (Excel's "CSV" in the Polish locale). The delimiter is the one of , ; TAB that
 * appears most often in the header line.
 */
export async function sniffCsv(path: string): Promise<CsvFormat> {
  const fh = await open(path, 'r');
  const buf = Buffer.alloc(65536);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  await fh.close();
  const head = buf.subarray(0, bytesRead);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || looksUtf16(head)) {
    throw new CsvError(path, null, null, 'the file is UTF-16 (Excel\'s "Unicode text"); save it as "CSV UTF-8" or as CSV in Windows-1250');
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  let encoding: CsvFormat['encoding'] = 'utf-8';
  if (!bom) {
    // a multi-byte character may be cut at the end of the sample: ignore the last 3 bytes
    const sample = head.subarray(0, Math.max(0, head.length - 3));
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample);
    } catch {
      encoding = 'windows-1250';
    }
  }
  const text = encoding === 'utf-8' ? head.toString('utf8') : iconv.decode(head, 'win1250');
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = ([',', ';', '\t'] as const).map((d) => [d, header.split(d).length - 1] as const);
  const delimiter = counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return { encoding, delimiter, bom };
}

/** UTF-16 without a BOM: every other byte of the sample is zero. */
function looksUtf16(head: Buffer): boolean {
  const n = Math.min(head.length, 512);
  if (n < 8) return false;
  let zeros = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) zeros++;
  return zeros > n / 4;
}

/** `a.pipe(b)` that forwards b's errors to whoever reads the result (csv-parse reads it). */
function pipeWithErrors(source: NodeJS.ReadableStream, through: Transform): Transform {
  source.pipe(through);
  return through;
}

/** Raised when bytes that are not UTF-8 turn up after the sniffed start of a UTF-8 file. */
class NotUtf8 extends Error {
  constructor(readonly line: number) {
    super('not UTF-8');
  }
}

/**
 * Passes UTF-8 through, checking it as it goes: a file that is UTF-8 for its first 64 KiB and
 * Windows-1250 later (two exports pasted together) stops with the line where it changes, instead
 * of being read as garbage.
 */
function checkUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  const count = (text: string) => {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line++;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        count(decoder.decode(chunk, { stream: true }));
      } catch {
        // the line of the first bad byte: what comes before the first replacement character
        const lenient = new TextDecoder('utf-8').decode(chunk);
        const bad = lenient.indexOf('\uFFFD');
        count(bad === -1 ? lenient : lenient.slice(0, bad));
        return done(new NotUtf8(line));
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        decoder.decode();
        done();
      } catch {
        done(new NotUtf8(line));
      }
    },
  });
}

/**
 * Streams the labelled rows of a CSV file (never the whole file in memory). Columns: `text` and
 * `label` required; `id`, `subject`, `sender_email`, `received_at`, `family` optional; others
 * ignored. Every error names the line and the column.
 */
export async function* readLabelledCsv(path: string): AsyncGenerator<LabelledRow> {
  let format: CsvFormat;
  try {
    format = await sniffCsv(path);
  } catch (e) {
    throw new CsvError(path, null, null, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const raw = createReadStream(path);
  const input: NodeJS.ReadableStream = format.encoding === 'utf-8' ? pipeWithErrors(raw, checkUtf8()) : raw.pipe(iconv.decodeStream('win1250'));
  const parser = input.pipe(
    // a record may hold one petition of up to MAX_TEXT_LENGTH characters and its other columns; a longer one stops the read
    parse({ delimiter: format.delimiter, bom: true, relax_column_count: false, skip_empty_lines: true, info: true, trim: false, max_record_size: MAX_RECORD }),
  );
  // an encoding error of the input stops the parser (pipe alone would leave it waiting)
  input.on('error', (e: Error) => parser.destroy(e));
  let header: string[] | null = null;
  let rows = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = rec;
      if (header === null) {
        header = record.map((h) => h.trim().toLowerCase().replace(/^\uFEFF/, ''));
        for (const required of ['text', 'label']) {
          if (!header.includes(required)) {
            throw new CsvError(path, 1, required, `the header has no "${required}" column (found: ${header.join(', ')}; delimiter "${format.delimiter === '\t' ? 'TAB' : format.delimiter}", encoding ${format.encoding})`);
          }
        }
        continue;
      }
      const line = info.lines - countNewlines(record) ;
      const get = (name: string) => {
        const i = header!.indexOf(name);
        // a cell that `sito feedback export` made spreadsheet-safe ('=…) reads back as written
        return i === -1 ? null : record[i] === undefined ? null : fromSpreadsheetSafe(record[i]!);
      };
      const text = get('text') ?? '';
      if (text.trim() === '') throw new CsvError(path, line, 'text', 'the petition text is empty');
      if (text.length > MAX_TEXT_LENGTH) throw new CsvError(path, line, 'text', `the petition text has ${text.length} characters; at most ${MAX_TEXT_LENGTH} are accepted (as for scoring)`);
      const rawLabel = (get('label') ?? '').trim().toLowerCase();
      const label = LABELS[rawLabel];
      if (!label) throw new CsvError(path, line, 'label', `unknown label "${get('label')}": use mass or regular (masowa, zwykła)`);
      const opt = (name: string) => {
        const v = get(name)?.trim();
        return v ? v : null;
      };
      rows++;
      yield { line, text, label, id: opt('id'), subject: opt('subject'), senderEmail: opt('sender_email'), receivedAt: opt('received_at'), family: opt('family') };
    }
  } catch (e) {
    if (e instanceof CsvError) throw e;
    if (e instanceof NotUtf8) {
      throw new CsvError(path, e.line, null, `the file is UTF-8 at its start but not from line ${e.line} on (Windows-1250 pasted in?); save the whole file in one encoding ("CSV UTF-8")`);
    }
    const err = e as Error & { code?: string; lines?: number; column?: number | string };
    const line = typeof err.lines === 'number' ? err.lines : null;
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      throw new CsvError(path, line, null, `a record is longer than ${MAX_RECORD} characters: a petition text may have at most ${MAX_TEXT_LENGTH} characters (as for scoring)`);
    }
    if (format.encoding === 'utf-8' && /Invalid Opening Quote|Invalid Closing Quote/.test(err.message)) {
      throw new CsvError(path, line, null, `${err.message} — quote fields that contain the delimiter or line breaks`);
    }
    throw new CsvError(path, line, err.column !== undefined ? String(err.column) : null, err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: '));
  }
  if (header === null) throw new CsvError(path, null, null, 'the file is empty (it needs a header row with text and label)');
  if (rows === 0) throw new CsvError(path, null, null, 'the file has a header but no petitions');
}

/** The number of line breaks inside a record's fields (a quoted field may span lines). */
function countNewlines(record: string[]): number {
  let n = 0;
  for (const f of record) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  return n;
}
