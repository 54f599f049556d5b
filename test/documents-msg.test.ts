import MsgReaderModule from '@kenjiuno/msgreader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type Running } from './helpers/server.js';
import { docxOf, msgOf, postDocument, postDocumentFile, type DocAnswer } from './helpers/documents.js';

/**
 * Outlook .msg files as an office's clerk saves them from Outlook: real OLE compound files written by
 * SheetJS `cfb` (test/helpers/documents.ts, msgOf), read back by @kenjiuno/msgreader first and then
 * posted to the score route.
 */

const MSG = 'application/vnd.ms-outlook';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A resident's petition as Outlook keeps a plain-text body: CRLF line ends (written for this test). */
const PETITION = `Szanowny Panie Burmistrzu,

działając na podstawie ustawy z dnia 11 lipca 2014 r. o petycjach, my, mieszkańcy osiedla Źródlana w Łękach Szlacheckich, wnosimy o zamontowanie progu zwalniającego i znaku ograniczenia prędkości do 30 km/h na ulicy Żwirowej, na odcinku między sklepem a przedszkolem „Słoneczko”.

Kierowcy jeżdżą tamtędy bardzo szybko, a chodnik kończy się przy posesji nr 14 i dzieci idące do przedszkola muszą przejść jezdnią. W październiku samochód potrącił tam psa sąsiadów; następnym razem może to być dziecko.

Prosimy również o przedłużenie chodnika do skrzyżowania z ulicą Ogrodową w ramach przyszłorocznego budżetu.

Z poważaniem
Małgorzata Żółkiewska, ul. Żwirowa 9
w imieniu 23 mieszkańców (lista podpisów u wnoszącej)
Wyrażam zgodę na podanie mojego imienia i nazwiska na stronie urzędu.`.replace(/\n/g, '\r\n');

const COVER = `Dzień dobry,\r\n\r\nW załączeniu przesyłam petycję mieszkańców ulicy Żwirowej w sprawie progu zwalniającego.\r\n\r\nPozdrawiam\r\nMałgorzata Żółkiewska`;

/** What an Exchange mailbox writes: PR_SENDER_EMAIL_ADDRESS holds an X500 DN, the SMTP address is in 5D01. */
const EXCHANGE_SENDER = {
  senderName: 'Małgorzata Żółkiewska',
  senderEmail: '/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=8F3A1C2B-MZOLKIEWSKA',
  senderSmtp: 'm.zolkiewska@poczta.example.pl',
};


let server: Running;
const post = (body: Uint8Array, type: string, query = '') => postDocument(server.url, body, type, query);
const postFile = (body: Uint8Array, filename: string, type: string, query = '') => postDocumentFile(server.url, body, filename, type, 'file', query);
const stored = async (id: string) => (await (await fetch(`${server.url}/v1/petitions/${id}`)).json()) as Record<string, unknown>;
const expectOffsetsHold = (a: DocAnswer) => {
  expect(a.reasons.some((r) => r.evidence.length > 0), 'some reason carries evidence').toBe(true);
  for (const r of a.reasons) for (const e of r.evidence) expect(a.document.text.slice(e.start, e.end)).toBe(e.text);
  for (const p of a.document.parts) expect(p.end).toBeGreaterThan(p.start);
};
const MsgReader = ((MsgReaderModule as unknown as { default?: unknown }).default ?? MsgReaderModule) as new (b: ArrayBuffer) => {
  getFileData(): Record<string, unknown> & { attachments: Array<Record<string, unknown>> };
  getAttachment(a: Record<string, unknown>): { fileName: string; content: Uint8Array };
};

beforeAll(async () => {
  server = await startTestServer();
}, 30_000);
afterAll(async () => server?.close());

describe('Outlook .msg written by cfb', { timeout: 30_000 }, () => {
  it('is a message @kenjiuno/msgreader reads back as written (fixture check)', async () => {
    const docx = await docxOf(PETITION);
    const msg = msgOf({ ...EXCHANGE_SENDER, subject: 'Petycja – próg zwalniający', body: COVER, attachments: [{ filename: 'petycja.docx', content: docx }] });
    expect([...msg.subarray(0, 8)]).toEqual([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const reader = new MsgReader(msg.slice().buffer);
    const data = reader.getFileData();
    expect(data).toMatchObject({ dataType: 'msg', subject: 'Petycja – próg zwalniający', senderName: 'Małgorzata Żółkiewska', senderSmtpAddress: EXCHANGE_SENDER.senderSmtp, body: COVER });
    expect(data.attachments).toHaveLength(1);
    const got = reader.getAttachment(data.attachments[0]!);
    expect(got.fileName).toBe('petycja.docx');
    expect(Buffer.from(got.content).equals(docx)).toBe(true);
  });

  it('reads a petition in the body: sender (SMTP address, not the Exchange DN), subject and date from the message', async () => {
    const msg = msgOf({ ...EXCHANGE_SENDER, subject: 'Petycja – próg zwalniający na ul. Żwirowej', body: PETITION, submitted: new Date('2026-03-02T08:15:00Z') });
    const { status, json } = await post(msg, MSG, '?id=MSG-1');
    expect(status, JSON.stringify(json)).toBe(200);
    const { text, parts, skipped } = json.document;
    expect(parts).toEqual([{ name: 'treść wiadomości', type: 'text/plain', role: 'body', start: 0, end: text.length, ocr: false }]);
    expect(text).toContain('wnosimy o zamontowanie progu zwalniającego');
    expect(text).toContain('„Słoneczko”');
    expect(text).not.toContain('\r');
    expect(skipped).toEqual([]);
    expect(json.level).not.toBe('high');
    expectOffsetsHold(json);

    const s = await stored('MSG-1');
    expect(s.subject).toBe('Petycja – próg zwalniający na ul. Żwirowej');
    expect(s.sender).toEqual({ name: 'Małgorzata Żółkiewska', email: 'm.zolkiewska@poczta.example.pl' });
    expect(s.received_at).toBe('2026-03-02T08:15:00.000Z');
    expect(s.text).toBe(text);
  });

  it('takes a sender written only as an SMTP address in 0C1F, uploaded as a .msg file of unknown type', async () => {
    const msg = msgOf({ senderName: 'Jan Nowak', senderEmail: 'jan.nowak@example.pl', subject: 'Petycja', body: PETITION });
    const { status, json } = await postFile(msg, 'petycja od mieszkańców.msg', 'application/octet-stream', '?id=MSG-2');
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.document.parts.map((p) => p.role)).toEqual(['body']);
    expect((await stored('MSG-2')).sender).toEqual({ name: 'Jan Nowak', email: 'jan.nowak@example.pl' });
  });

  it('reads a DOCX and a plain-text attachment each as its own part; the short body is the cover note', async () => {
    const extra = 'Lista podpisów: 23 mieszkańców ulicy Żwirowej i Ogrodowej.\r\n';
    const msg = msgOf({
      ...EXCHANGE_SENDER,
      subject: 'Petycja',
      body: COVER,
      attachments: [
        { filename: 'petycja-próg.docx', content: await docxOf(PETITION.replace(/\r\n/g, '\n')), mimeType: DOCX },
        { filename: 'podpisy.txt', content: Buffer.from(extra, 'utf8') },
      ],
    });
    const { status, json } = await post(msg, MSG, '?id=MSG-3');
    expect(status, JSON.stringify(json)).toBe(200);
    const { text, parts, skipped } = json.document;
    expect(parts.map((p) => [p.name, p.role, p.type])).toEqual([
      ['treść wiadomości', 'cover_note', 'text/plain'],
      ['petycja-próg.docx', 'attachment', DOCX],
      ['podpisy.txt', 'attachment', 'text/plain'],
    ]);
    expect(text.slice(parts[0]!.start, parts[0]!.end)).toContain('W załączeniu przesyłam petycję');
    expect(text.slice(parts[1]!.start, parts[1]!.end)).toContain('wnosimy o zamontowanie progu zwalniającego');
    expect(text.slice(parts[2]!.start, parts[2]!.end)).toBe(extra.trim());
    expect(skipped).toEqual([]);
    expectOffsetsHold(json);
    expect((await stored('MSG-3')).sender).toEqual({ name: 'Małgorzata Żółkiewska', email: 'm.zolkiewska@poczta.example.pl' });
  });

  it('answers a truncated .msg with 422 corrupt, stores nothing, and the server keeps serving', async () => {
    const msg = msgOf({ ...EXCHANGE_SENDER, subject: 'Petycja', body: PETITION, attachments: [{ filename: 'petycja.docx', content: await docxOf(PETITION) }] });
    for (const cut of [600, Math.floor(msg.length / 2)]) {
      const { status, json } = await post(msg.subarray(0, cut), MSG, `?id=MSG-CUT-${cut}`);
      expect(status, JSON.stringify(json)).toBe(422);
      expect(json.error).toBe('corrupt');
      expect(json.message).toMatch(/not a readable Outlook message/);
      expect((await fetch(`${server.url}/v1/petitions/MSG-CUT-${cut}`)).status).toBe(404);
    }
    const again = await post(msg, MSG, '?store=false');
    expect(again.status, JSON.stringify(again.json)).toBe(200);
  });
});
