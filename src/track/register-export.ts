/** The register as files: CSV (header in Polish, UTF-8 with BOM for spreadsheet users) and JSON. */
import { stringify } from 'csv-stringify/sync';
import type { Store, TrackStore } from '../storage/store.js';
import { REGISTER_COLUMNS, registerEntries, yearSummary, type RegisterEntry, type YearSummary } from './register.js';
import { spreadsheetSafe } from '../export/spreadsheet-cell.js';

export async function registerFor(ts: TrackStore, year?: number): Promise<RegisterEntry[]> {
  const rows = year === undefined ? await ts.rows() : await ts.rows(`${year - 1}-12-31T12:00:00Z`, `${year + 1}-01-01T12:00:00Z`);
  const entries = registerEntries(rows, await ts.allLatestStatus(), await ts.allJointMembers());
  // the day boundary in Poland: the query window is a little wider, the date decides
  return year === undefined ? entries : entries.filter((e) => e.received.startsWith(`${year}-`));
}

export async function summaryFor(ts: TrackStore, year: number): Promise<YearSummary> {
  return yearSummary(year, await ts.rows(), await ts.allLatestStatus(), await ts.allJointMembers());
}


export function registerCsv(entries: readonly RegisterEntry[]): string {
  return `\uFEFF${stringify([REGISTER_COLUMNS.map(([, h]) => h), ...entries.map((e) => REGISTER_COLUMNS.map(([k]) => spreadsheetSafe(e[k] ?? '')))], { record_delimiter: '\r\n' })}`;
}

export const registerJson = (entries: readonly RegisterEntry[]) => JSON.stringify({ petitions: entries }, null, 2);

export const parseYear = (v: string | undefined): number | undefined | null => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 2015 && n <= 2200 ? n : null;
};

export type { Store };
