import type { SyncStore as Store } from '../storage/store.js';
import { TrackStore } from '../storage/track-store.js';
import { summaryText } from '../track/register.js';
import { parseYear, registerCsv, registerFor, registerJson, summaryFor } from '../track/register-export.js';

const trackStore = (store: Store) => {
  const ts = TrackStore.of(store);
  if (!ts) throw new Error('the register needs the SQLite store');
  return ts;
};

const year = (v: string | undefined, required: boolean): number | undefined => {
  const y = parseYear(v);
  if (y === null || (required && y === undefined)) throw new Error(`--year: expected a four-digit year from 2015${v === undefined ? '' : `, got ${v}`}`);
  return y;
};

/** `sito register export`: the art. 8 register as CSV or JSON. */
export function registerExport(store: Store, opts: { year?: string; format: string }): string {
  if (opts.format !== 'csv' && opts.format !== 'json') throw new Error(`--format: expected csv or json, got ${opts.format}`);
  const entries = registerFor(trackStore(store), year(opts.year, false));
  return opts.format === 'csv' ? registerCsv(entries) : `${registerJson(entries)}\n`;
}

/** `sito register summary`: the art. 14 yearly information, as text or JSON. */
export function registerSummary(store: Store, opts: { year?: string; format: string }): string {
  if (opts.format !== 'text' && opts.format !== 'json') throw new Error(`--format: expected text or json, got ${opts.format}`);
  const ts = trackStore(store);
  const s = summaryFor(ts, year(opts.year, true)!);
  return opts.format === 'json' ? `${JSON.stringify(s, null, 2)}\n` : `${summaryText(s, ts.templates().get('_organ')?.body)}\n`;
}
