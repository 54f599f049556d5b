import { foldText } from '../normalise/fold.js';

/**
 * What full-text search reads: the text, subject and sender address folded as signals see them
 * (lower case, no diacritics: "Łódź" and "lodz" find each other). Both stores index its words.
 */
export function searchableText(text: string, subject: string | null, senderEmail: string | null): string {
  return foldText(`${subject ?? ''}\n${senderEmail ?? ''}\n${text}`).folded;
}
