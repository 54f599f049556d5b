import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { PetitionConflictError, type Engine } from '../engine.js';
import type { Embedder } from '../signals/embedding/embedder.js';
import type { OfficeClearinghouse } from '../clearinghouse/office.js';
import { withoutWrapper } from '../normalise/normalise.js';
import { describeIssues, PetitionInputSchema } from '../ingest/petition-input.js';
import { LineError, readJsonLines } from '../ingest/jsonl.js';

export interface ScoreCommandOptions {
  store: boolean;
}

/**
 * `sito score`: JSON lines in, one score result per line out, in input order. Output is written
 * line by line with back-pressure, so a file of any size streams through in constant memory. A bad
 * line — or an id already stored with another text — stops the run with its line number; every
 * line before it has been written whole, and nothing of the bad line is stored.
 */
export async function scoreStream(engine: Engine, input: Readable, output: Writable, opts: ScoreCommandOptions, embedder: Embedder | null = null, clearinghouse: OfficeClearinghouse | null = null): Promise<number> {
  let count = 0;
  for await (const { line, value } of readJsonLines(input)) {
    const parsed = PetitionInputSchema.safeParse(value);
    if (!parsed.success) throw new LineError(line, describeIssues(parsed.error));
    const petition = { ...parsed.data, store: opts.store && parsed.data.store };
    const analysis = engine.analyse(petition);
    const asking = clearinghouse?.consult(analysis.fingerprint);
    const vector = embedder ? (await embedder.embed([withoutWrapper(petition.text, analysis.text.wrapper)]))[0] : undefined;
    let result;
    try {
      result = await engine.score(petition, vector, analysis, await asking);
    } catch (e) {
      if (e instanceof PetitionConflictError) throw new LineError(line, e.message);
      throw e;
    }
    if (!output.write(`${JSON.stringify(result)}\n`)) await once(output, 'drain');
    count++;
  }
  return count;
}

export function openInput(file: string | undefined): Readable {
  if (file === undefined || file === '-') return process.stdin;
  return createReadStream(file);
}
