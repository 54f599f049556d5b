import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { DocumentError } from '../src/ingest/documents/errors.js';
import { extractDocument } from '../src/ingest/documents/extract.js';
import { DEFAULT_LIMITS } from '../src/ingest/documents/types.js';
import { CHROMIUM, CHROMIUM_FLAGS, COVER_NOTE, docxOf, emailOf, hasChromium, odtOf, printPdf, RESIDENT_PETITION, VENDOR_PETITION } from './helpers/documents.js';

const TYPES = [
  'message/rfc822',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.ms-outlook',
  'text/plain',
  'application/octet-stream',
  'image/png',
];
/** Far more than any of these small inputs needs: only a hang reaches it. */
const HANG = 15_000;
const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024, maxExpandedBytes: 8 * 1024 * 1024 };

/** The property: an extractor answers (an extraction, or a DocumentError), never anything else, never hangs. */
async function answersOrRefuses(bytes: Uint8Array, type: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${HANG / 1000} s for ${type}, ${bytes.length} bytes`)), HANG)));
  try {
    await Promise.race([extractDocument(bytes, type, null, limits), hang]);
  } catch (e) {
    if (!(e instanceof DocumentError)) throw e;
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
  } finally {
    clearTimeout(timer);
  }
}

/** A valid document with some bytes changed, some cut off, or some inserted. */
const mutated = (seed: Uint8Array) =>
  fc.oneof(
    fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }).map((flips) => {
      const b = Uint8Array.from(seed);
      for (const [i, v] of flips) b[i] = v;
      return b;
    }),
    fc.nat(seed.length - 1).map((n) => seed.subarray(0, n)),
    fc.tuple(fc.nat(seed.length - 1), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, extra]) => Uint8Array.from([...seed.subarray(0, at), ...extra, ...seed.subarray(at)])),
  );

describe('fuzzing the extractors', { timeout: 300_000 }, () => {
  const seeds: Record<string, { bytes: Uint8Array; type: string }> = {};
  beforeAll(async () => {
    seeds.docx = { bytes: await docxOf(VENDOR_PETITION), type: TYPES[2]! };
    seeds.odt = { bytes: odtOf(RESIDENT_PETITION), type: TYPES[3]! };
    seeds.eml = { bytes: await emailOf({ text: COVER_NOTE, attachments: [{ filename: 'p.odt', content: Buffer.from(odtOf(RESIDENT_PETITION)) }, { filename: 'u.txt', content: 'Uwagi' }] }), type: TYPES[0]! };
    if (hasChromium) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      seeds.pdf = { bytes: await printPdf(browser, VENDOR_PETITION), type: TYPES[1]! };
      await browser.close();
    }
  }, 60_000);

  it('random bytes under every content type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...TYPES), (bytes, type) => answersOrRefuses(bytes, type)),
      { numRuns: 300 },
    );
  });

  it('random bytes behind each format’s signature', async () => {
    const heads = ['%PDF-1.7\n', 'PK\u0003\u0004', 'From: a@b.pl\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n', '\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...TYPES), (head, tail, type) => answersOrRefuses(Uint8Array.from([...Buffer.from(head, 'latin1'), ...tail]), type)),
      { numRuns: 200 },
    );
  });

  for (const kind of ['docx', 'odt', 'eml', 'pdf']) {
    it(`mutated ${kind}`, async (ctx) => {
      const seed = seeds[kind];
      if (!seed) return ctx.skip();
      await fc.assert(
        fc.asyncProperty(mutated(seed.bytes), fc.constantFrom(seed.type, 'application/octet-stream'), (bytes, type) => answersOrRefuses(bytes, type)),
        { numRuns: 150 },
      );
    });
  }
});
