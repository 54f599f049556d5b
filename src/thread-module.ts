/**
 * A worker thread's module next to the calling one (`from`: its import.meta.url). Run from the
 * TypeScript sources (tests, scripts), the thread needs the same loader; from dist/, plain JS.
 */
export function threadModule(from: string, name: string): { url: URL; execArgv: string[] } {
  const ts = from.endsWith('.ts');
  return { url: new URL(`./${name}.${ts ? 'ts' : 'js'}`, from), execArgv: ts ? ['--import', 'tsx'] : [] };
}
