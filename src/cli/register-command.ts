import type { Store } from '../storage/store.js';
import { summaryText } from '../track/register.js';
import { parseYear, registerCsv, registerFor, registerJson, summaryFor } from '../track/register-export.js';

const year = (v: string | undefined, required: boolean): number | undefined => {
  const y = parseYear(v);
  if (y === null || (required && y === undefined)) throw new Error(`--year: expected a four-digit year from 2015${v === undefined ? '' : `, got ${v}`}`);
  return y;
};

/** `sito register export`: the art. 8 register as CSV or JSON. */
export async function registerExport(store: Store, opts: { year?: string; format: string }): Promise<string> {
  if (opts.format !== 'csv' && opts.format !== 'json') throw new Error(`--format: expected csv or json, got ${opts.format}`);
  const entries = await registerFor(store.track, year(opts.year, false));
  return opts.format === 'csv' ? registerCsv(entries) : `${registerJson(entries)}\n`;
}

/** `sito register summary`: the art. 14 yearly information, as text or JSON. */
export async function registerSummary(store: Store, opts: { year?: string; format: string }): Promise<string> {
  if (opts.format !== 'text' && opts.format !== 'json') throw new Error(`--format: expected text or json, got ${opts.format}`);
  const ts = store.track;
  const s = await summaryFor(ts, year(opts.year, true)!);
  return opts.format === 'json' ? `${JSON.stringify(s, null, 2)}\n` : `${summaryText(s, (await ts.templates()).get('_organ')?.body)}\n`;
}
