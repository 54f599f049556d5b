import { convert } from 'html-to-text';
import PostalMime, { type Email } from 'postal-mime';
import { DocumentError } from './errors.js';
import type { DocumentMeta } from './types.js';

export interface ParsedEmail {
  meta: DocumentMeta;
  body: string;
  attachments: Array<{ name: string | null; type: string; bytes: Uint8Array; related: boolean }>;
}

const POSTAL_CODES: Record<string, [DocumentError['code'], string]> = {
  EMAXNESTINGDEPTH: ['too_deep', 'its MIME parts are nested deeper than the limit'],
  EMAXPARTCOUNT: ['too_deep', 'it has more MIME parts than the limit'],
  EMAXHEADERSIZE: ['too_large', 'its headers are larger than the limit'],
  EMAXFORWARDEDADDRESSES: ['too_large', 'its forwarded messages hold too many addresses'],
};

/** Plain text of an HTML body: paragraphs and line breaks kept, links as their text. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  }).trim();
}

/**
 * An e-mail (RFC 5322/MIME) through postal-mime: the sender, subject and date for the
 * petition, the body as text (HTML converted when there is no text part) and the attachments.
 * Attached e-mails (message/rfc822) come back as attachments, read by the caller one level down.
 */
export async function parseEmail(bytes: Uint8Array, what: string, maxNesting: number): Promise<ParsedEmail> {
  let email: Email;
  try {
    email = await PostalMime.parse(bytes, {
      forceRfc822Attachments: true,
      maxNestingDepth: maxNesting * 4,
      maxPartCount: 500,
      maxHeadersSize: 512 * 1024,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const known = code ? POSTAL_CODES[code] : undefined;
    if (known) throw new DocumentError(known[0], `${what} cannot be read: ${known[1]}`);
    throw new DocumentError('corrupt', `${what} is not a readable e-mail: ${(e as Error).message?.slice(0, 200)}`);
  }
  const meta: DocumentMeta = {};
  if (email.subject?.trim()) meta.subject = email.subject.trim().slice(0, 2000);
  const from = email.from;
  if (from && from.address !== undefined) {
    meta.sender = {};
    if (from.name) meta.sender.name = from.name.slice(0, 500);
    if (from.address) meta.sender.email = from.address.slice(0, 320);
  }
  if (email.date) {
    const d = new Date(email.date);
    if (!Number.isNaN(d.getTime()) && d.getUTCFullYear() > 1970 && d.getUTCFullYear() < 3000) meta.received_at = d.toISOString();
  }
  const body = (email.text?.trim() ? email.text : email.html ? htmlToText(email.html) : '').replace(/\r\n/g, '\n').trim();
  const attachments = email.attachments.map((a) => ({
    name: a.filename,
    type: (a.mimeType || 'application/octet-stream').toLowerCase(),
    bytes: a.content instanceof Uint8Array ? a.content : new Uint8Array(a.content as ArrayBuffer),
    related: !!a.related || (a.disposition === 'inline' && !a.filename),
  }));
  return { meta, body, attachments };
}
