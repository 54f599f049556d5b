/**
 * Cells a spreadsheet would read as a formula. Petitioners write the text, subject, sender address
 * and id of what analysts later open in Excel or LibreOffice, so every CSV Sito writes passes each
 * cell through `spreadsheetSafe` (OWASP "CSV injection"): a cell beginning with = + - @ TAB or CR is
 * prefixed with a single quote, which the spreadsheet shows as text and does not evaluate.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The inverse, for Sito's own CSV reader: a cell `'=…` that `spreadsheetSafe` wrote reads back as `=…`. */
export function fromSpreadsheetSafe(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 0x27 && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}
