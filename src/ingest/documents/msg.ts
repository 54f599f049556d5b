import MsgReaderModule from '@kenjiuno/msgreader';
type MsgReaderCtor = typeof import('@kenjiuno/msgreader/lib/MsgReader.js').default;
type MsgReaderClass = InstanceType<MsgReaderCtor>;
import { DocumentError } from './errors.js';
import type { ParsedEmail } from './email.js';

// the package's default export is the class under CommonJS interop
const MsgReader = ((MsgReaderModule as unknown as { default?: unknown }).default ?? MsgReaderModule) as unknown as MsgReaderCtor;

/** An Outlook .msg (CFBF) through @kenjiuno/msgreader, as the same shape as an e-mail. */
export function parseMsg(bytes: Uint8Array, what: string): ParsedEmail {
  let reader: MsgReaderClass;
  let data: ReturnType<MsgReaderClass['getFileData']>;
  try {
    const copy = bytes.slice();
    reader = new MsgReader(copy.buffer);
    data = reader.getFileData();
  } catch (e) {
    throw new DocumentError('corrupt', `${what} is not a readable Outlook message: ${(e as Error).message?.slice(0, 200)}`);
  }
  if (data.error || data.dataType !== 'msg') throw new DocumentError('corrupt', `${what} is not a readable Outlook message${data.error ? `: ${data.error}` : ''}`);
  const meta: ParsedEmail['meta'] = {};
  if (data.subject?.trim()) meta.subject = data.subject.trim().slice(0, 2000);
  // a message from an Exchange mailbox holds an X500 DN (/O=…/CN=…) in PR_SENDER_EMAIL_ADDRESS (0C1F);
  // its SMTP address is in PR_SENDER_SMTP_ADDRESS (5D01)
  const email = [data.senderSmtpAddress, data.senderEmail].map((a) => a?.trim()).find((a) => a?.includes('@'));
  if (data.senderName || email) {
    meta.sender = {};
    if (data.senderName) meta.sender.name = data.senderName.slice(0, 500);
    if (email) meta.sender.email = email.slice(0, 320);
  }
  const when = data.messageDeliveryTime ?? data.clientSubmitTime ?? data.creationTime;
  if (when) {
    const d = new Date(when);
    if (!Number.isNaN(d.getTime())) meta.received_at = d.toISOString();
  }
  const attachments: ParsedEmail['attachments'] = [];
  for (const a of data.attachments ?? []) {
    if (a.innerMsgContent) continue;
    try {
      const got = reader.getAttachment(a);
      attachments.push({ name: got.fileName || a.fileName || null, type: a.attachMimeTag?.toLowerCase() || 'application/octet-stream', bytes: got.content, related: !!a.attachmentHidden });
    } catch {
      // an attachment the reader cannot take out is left out; the caller lists it as skipped
      attachments.push({ name: a.fileName ?? null, type: 'application/x-unreadable', bytes: new Uint8Array(0), related: false });
    }
  }
  return { meta, body: (data.body ?? '').replace(/\r\n/g, '\n').trim(), attachments };
}
