import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sharedDir = fileURLToPath(new URL('../../../shared', import.meta.url));
export const hasShared = existsSync(`${sharedDir}/seeds`);
if (!hasShared) {
  console.warn(`[sito tests] ${sharedDir} is absent: the tests that read ../shared (seeds, real corpus) are skipped`);
}

export const seedEmail = () => readFileSync(`${sharedDir}/seeds/petition-g1ant-as-received-email.txt`, 'utf8');
export const seedBip = () => readFileSync(`${sharedDir}/seeds/petition-g1ant-published-bip.txt`, 'utf8');
export const fixture = (name: string) => readFileSync(`${repoRoot}/test/fixtures/${name}`, 'utf8');
