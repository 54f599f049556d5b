import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { hashPassword, validatePassword } from '../auth/passwords.js';
import { spreadsheetSafe } from '../export/spreadsheet-cell.js';
import type { Store, UserRole } from '../storage/store.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // joined before decoding: a character split between two chunks stays whole
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing what is typed. */
async function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('no password given: use --password, --password-stdin, or run in a terminal');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  let asked = false;
  out._writeToOutput = (s: string) => {
    if (!asked) {
      out.output.write(s);
      asked = true;
    }
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

export async function addUser(store: Store, login: string, role: string, opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (!/^[a-zA-Z0-9._@-]{2,64}$/.test(login)) throw new Error('LOGIN: 2–64 characters: letters, digits, . _ @ -');
  if (role !== 'clerk' && role !== 'analyst') throw new Error(`--role: expected clerk or analyst, got ${role}`);
  let password: string;
  if (opts.password !== undefined) password = opts.password;
  else if (opts.passwordStdin) password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  else {
    password = await prompt(`Hasło dla ${login}: `);
    const again = await prompt('Powtórz hasło: ');
    if (again !== password) throw new Error('the passwords differ');
  }
  const problem = validatePassword(password);
  if (problem) throw new Error(problem);
  const hash = await hashPassword(password);
  await store.writeTransaction((tx) => tx.addUser(login, role as UserRole, hash));
  return `user ${login} (${role}) saved`;
}

/**
 * The clerks' verdicts as a labelled CSV, ready for `sito train`. Every cell is spreadsheet-safe (a
 * leading = + - @ TAB CR gets a ' prefix, which `sito train` removes again when it reads the file).
 */
export async function exportFeedback(store: Store, file: string | undefined): Promise<number> {
  const rows = await store.feedbackForExport();
  const out: Writable = file && file !== '-' ? createWriteStream(file) : process.stdout;
  const csv = stringify({ header: true, columns: ['id', 'label', 'text', 'subject', 'sender_email', 'received_at', 'marked_by', 'marked_at'] });
  csv.pipe(out);
  for (const r of rows) {
    csv.write([r.petition_id, r.label, r.text, r.subject ?? '', r.sender_email ?? '', r.received_at ?? '', r.login, r.at].map(spreadsheetSafe));
  }
  csv.end();
  await new Promise<void>((resolve, reject) => {
    csv.on('end', () => resolve());
    csv.on('error', reject);
  });
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
  return rows.length;
}
