import { findWrapper, type WrapperRange } from './email-wrapper.js';
import { foldText, type FoldedText } from './fold.js';

export interface NormalisedText extends FoldedText {
  /** Ranges of the original text recognised as e-mail/registry wrapper and left out of `folded`. */
  readonly wrapper: readonly WrapperRange[];
}

/** The one entry point of the normalise stage: wrapper detection, then folding around it. */
export function normalise(text: string): NormalisedText {
  const wrapper = findWrapper(text);
  return { ...foldText(text, wrapper), wrapper };
}

export type { FoldedText, Range } from './fold.js';
export { toOriginalSpan, foldUnit, PLACEHOLDER } from './fold.js';
export type { WrapperRange } from './email-wrapper.js';

/** The text with its e-mail wrapper replaced by line breaks (what an embedding model should read). */
export function withoutWrapper(text: string, wrapper: readonly WrapperRange[] = findWrapper(text)): string {
  if (!wrapper.length) return text;
  let out = '';
  let at = 0;
  for (const w of wrapper) {
    out += `${text.slice(at, w.start)}\n`;
    at = w.end;
  }
  return out + text.slice(at);
}
