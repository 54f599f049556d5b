import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAME } from '../scripts/embedding/build-embedding.js';
import { DEFAULT_MODELS_DIR, loadEmbedder, type Embedder } from '../src/signals/embedding/embedder.js';
import { preTokenize, preTokenizeByRegex, wordPieceTokenizer } from '../src/signals/embedding/wordpiece.js';
import { repoRoot } from './helpers/paths.js';

const dir = `${DEFAULT_MODELS_DIR}${MODEL_NAME}`;
const realCorpus = `${repoRoot}/../shared/corpus/real-dev.jsonl`;

/** Texts that stress a BERT tokenizer: special tokens written out, controls, lone surrogates, combining marks, astral and private-use characters, very long words. */
const hostile = [
  'Petycja [CLS] w sprawie [SEP][UNK] chodnika [MASK]',
  'tab\there\r\nnowa\u000bpionowa\u000cstrona\u0085\u00a0nbsp\u2028\u2029\u3000\ufeffbom\u200bzw',
  'lone \ud800 high and \udc00 low, pair 😀 and ﷽ and \u{e0001}\u{f0000}\u{10ffff}',
  'Za\u0301z\u0307o\u0301\u0142c\u0301 ge\u0328s\u0301la\u0328 ja\u0301z\u0301n\u0301 ŁÓDŹ Ǆ ǅ İstanbul ß ẞ ﬁ',
  'x'.repeat(150) + ' ' + 'ą'.repeat(99) + ' ' + 'ę'.repeat(101),
  '\0\ufffd\u0000a\u0001b\u001fc\u007fd\u0080e\u009f',
  '   ',
  '',
  'a.b,c;d:e!f?g(h)i[j]k{l}m<n>o/p\\q|r_s-t+u=v*w&x^y%z$#@~`\'"„”«»–—…',
];

describe('the static embedding run as a table look-up', () => {
  let fast: Embedder;
  let onnx: Embedder;
  let reference: (text: string) => number[];
  beforeAll(async () => {
    const a = await loadEmbedder(MODEL_NAME);
    const b = await loadEmbedder(MODEL_NAME, DEFAULT_MODELS_DIR, { runtime: 'onnx' });
    expect(a.status).toMatchObject({ loaded: true, runtime: 'table' });
    expect(b.status).toMatchObject({ loaded: true, runtime: 'onnx' });
    fast = a.embedder!;
    onnx = b.embedder!;
    const { AutoTokenizer, env } = await import('@xenova/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = DEFAULT_MODELS_DIR;
    const tok = (await AutoTokenizer.from_pretrained(MODEL_NAME)) as unknown as (t: string, o: object) => { input_ids: { data: BigInt64Array } };
    reference = (t) => Array.from(tok(t, { truncation: true }).input_ids.data, Number);
  }, 60_000);

  const ours = () => wordPieceTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), 8192)!;

  it('tokenizes exactly as transformers.js, hostile texts included', () => {
    const t = ours();
    for (const text of hostile) expect(t.encode(text), JSON.stringify(text)).toEqual(reference(text));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), (a, b) => {
        expect(t.encode(a)).toEqual(reference(a));
        expect(t.encode(b)).toEqual(reference(b));
      }),
      { numRuns: 400 },
    );
  });

  it('splits words by its tables exactly as the regular expressions do', () => {
    const rows = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<{ text: string }>;
    for (const text of [...hostile, ...rows.map((r) => r.text)]) expect(preTokenize(text), JSON.stringify(text.slice(0, 80))).toEqual(preTokenizeByRegex(text));
    // every code unit outside the surrogates, alone and between letters
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      expect(preTokenize(`a${ch}b ${ch}`), `U+${c.toString(16)}`).toEqual(preTokenizeByRegex(`a${ch}b ${ch}`));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary-ascii', maxLength: 200 }), (a, b, c) => {
        for (const x of [a, b, c]) expect(preTokenize(x)).toEqual(preTokenizeByRegex(x));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the ONNX session’s vectors to the bit, for every petition in data/ and the real corpus', async () => {
    const rows = parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<{ text: string }>;
    const texts = [...rows.map((r) => r.text), ...hostile];
    if (existsSync(realCorpus)) texts.push(...readFileSync(realCorpus, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text));
    else console.warn('[sito tests] ../shared/corpus/real-dev.jsonl is absent: compared on data/ only');
    const t = ours();
    for (let i = 0; i < texts.length; i += 16) {
      const batch = texts.slice(i, i + 16);
      const [a, b] = [await fast.embed(batch), await onnx.embed(batch)];
      batch.forEach((text, k) => {
        expect(t.encode(text.slice(0, 6000))).toEqual(reference(text.slice(0, 6000)));
        expect(Buffer.from(a[k]!.buffer).equals(Buffer.from(b[k]!.buffer)), `text ${i + k}`).toBe(true);
      });
    }
  }, 120_000);
});
