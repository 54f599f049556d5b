import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { sitoAsync, tempDir } from './helpers/sito-process.js';

describe('sito train on several threads', () => {
  it('learns the very model one thread learns', async () => {
    const rows = (parse(readFileSync(`${repoRoot}/data/petitions.csv`), { columns: true }) as Array<Record<string, string>>).filter((_, i) => i % 4 === 0);
    const csv = `${tempDir()}/train.csv`;
    writeFileSync(csv, stringify(rows, { header: true }));
    const dirs = [tempDir(), tempDir()];
    const [one, two] = await Promise.all([sitoAsync(['train', csv, '--jobs', '1'], { SITO_DATA_DIR: dirs[0]! }), sitoAsync(['train', csv, '--jobs', '2'], { SITO_DATA_DIR: dirs[1]! })]);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const model = (dir: string) => {
      const [f] = readdirSync(`${dir}/models`).filter((x) => x.endsWith('.json'));
      return JSON.parse(readFileSync(`${dir}/models/${f}`, 'utf8')) as { weights: unknown; calibration: unknown; card: { cross_validation: unknown } };
    };
    const [a, b] = [model(dirs[0]!), model(dirs[1]!)];
    expect(b.weights).toEqual(a.weights);
    expect(b.calibration).toEqual(a.calibration);
    expect(b.card.cross_validation).toEqual(a.card.cross_validation);
    // the comparison with the active model, made on threads too, reads the same
    const evaluation = (out: string) => out.slice(out.indexOf('on the training file itself'));
    expect(evaluation(two.stdout).replace(/m\d{8}-\d{6}-\w+/g, 'M')).toBe(evaluation(one.stdout).replace(/m\d{8}-\d{6}-\w+/g, 'M'));
  });
});
