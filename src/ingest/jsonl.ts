import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export class LineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Reads JSON lines one at a time (never the whole input), yielding each parsed value with its
 * 1-based line number. Blank lines are skipped; a line that is not JSON throws a LineError.
 */
export async function* readJsonLines(input: Readable): AsyncGenerator<{ line: number; value: unknown }> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of rl) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new LineError(line, `malformed JSON (${(e as Error).message})`);
      }
      yield { line, value };
    }
  } finally {
    rl.close();
  }
}
