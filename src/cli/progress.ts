/**
 * Progress of a long-running command on standard error: a line redrawn in place on a terminal,
 * nothing at all in a pipe or a log (so output stays machine-readable).
 */
export interface Progress {
  tick: (label?: string) => void;
  done: () => void;
}

export function progress(what: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { tick: () => {}, done: () => {} };
  const started = Date.now();
  let n = 0;
  let last = 0;
  const draw = (label: string) => {
    const secs = (Date.now() - started) / 1000;
    const eta = n > 0 && n < total ? ` ~${Math.round((secs / n) * (total - n))} s left` : '';
    // total 0: not known in advance (a stream); the count and the rate
    const count = total > 0 ? `${n}/${total} (${Math.round((100 * n) / total)}%)${eta}` : `${n} (${Math.round(n / Math.max(secs, 0.001))}/s)`;
    stream.write(`\r\x1b[K${what}: ${count} ${label}`.slice(0, (stream.columns || 100) - 1));
  };
  return {
    tick: (label = '') => {
      n++;
      const now = Date.now();
      if (now - last > 100 || n === total) {
        last = now;
        draw(label);
      }
    },
    done: () => stream.write(`\r\x1b[K${what}: ${total > 0 ? `${n}/${total}` : n} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
  };
}
