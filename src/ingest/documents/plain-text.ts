import iconv from 'iconv-lite';

/**
 * Bytes of a text file as a string: the declared charset when iconv knows it, else a BOM, else
 * UTF-8 when the bytes are valid UTF-8, else Windows-1250 (what Polish Windows writes).
 */
export function decodeText(bytes: Uint8Array, charset?: string | null): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cs = charset?.trim().toLowerCase();
  if (cs && cs !== 'us-ascii' && cs !== 'utf-8' && cs !== 'utf8' && iconv.encodingExists(cs)) return iconv.decode(buf, cs);
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf-16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf-16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'windows-1250');
  }
}

/** `text/plain; charset=windows-1250` → `windows-1250`. */
export function charsetOf(contentType: string | undefined | null): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}
