/** A body longer than this carries more than a cover note. */
const MAX_COVER_NOTE = 1500;

const COVER_WORDS = /w\s+za[łl][ąa]cz(eniu|niku)|za[łl][ąa]czam|za[łl][ąa]cznik|przesy[łl]am|przekazuj[eę]|przesy[łl]amy|przekazujemy|(in|see)\s+(the\s+)?attach|attached/i;

/**
 * Whether an e-mail body is only a cover note ("W załączeniu przesyłam petycję…") for the
 * petition in its attachments: short, shorter than half of what the attachments hold, and it
 * speaks of the attachment. `attachmentChars`: characters read from the attachments (a scan
 * still to be read counts as a page of text).
 */
export function isCoverNote(body: string, attachmentChars: number): boolean {
  const t = body.trim();
  return t.length > 0 && t.length <= MAX_COVER_NOTE && t.length * 2 < attachmentChars && COVER_WORDS.test(t);
}
