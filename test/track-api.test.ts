import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type Running } from './helpers/server.js';
import { BENCH_PETITION, LIBRARY_PETITION, swimmingCopy } from './helpers/track-texts.js';

describe('the mass track over HTTP: deadline, formal, campaign names', () => {
  let s: Running;
  const get = async (path: string) => {
    const r = await fetch(`${s.url}${path}`);
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };
  beforeAll(async () => {
    s = await startTestServer();
    const now = new Date();
    const recent = new Date(now.getTime() - 5 * 86_400_000).toISOString();
    for (const [id, text, received_at] of [
      ['LIB-1', LIBRARY_PETITION, '2026-01-31T10:00:00+01:00'],
      ['BENCH-1', BENCH_PETITION, recent],
      ['SWIM-1', swimmingCopy(0), '2025-11-30T12:00:00+01:00'],
      ['SWIM-2', swimmingCopy(1, { consent: true }), '2025-12-02T09:00:00+01:00'],
      ['SWIM-3', swimmingCopy(2, { address: false }), '2025-12-03T09:00:00+01:00'],
    ] as const) {
      const r = await postJson(`${s.url}/v1/petitions/score`, { id, text, received_at });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
  });
  afterAll(() => s?.close());

  it('gives each stored petition its art. 10 deadline and formal booleans with details', async () => {
    const lib = await get('/v1/petitions/LIB-1');
    expect(lib.status).toBe(200);
    expect(lib.json.deadline).toBe('2026-04-30');
    expect(lib.json.deadline_basis).toBe('received');
    expect(lib.json.formal).toEqual({ submitter: true, address: true, addressee: true, subject: true, consent_to_publish: true });
    const swim3 = await get('/v1/petitions/SWIM-3');
    expect(swim3.json.deadline).toBe('2026-03-03');
    expect(swim3.json.formal.address).toBe(false);
    expect(swim3.json.formal_details.step).toBe('leave_unconsidered');
    const text = swim3.json.text as string;
    for (const e of swim3.json.formal_details.elements.submitter.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('orders by deadline and filters overdue ones', async () => {
    const byDeadline = await get('/v1/petitions?order=deadline');
    expect(byDeadline.json.items.map((i: { id: string }) => i.id)).toEqual(['SWIM-1', 'SWIM-2', 'SWIM-3', 'LIB-1', 'BENCH-1']);
    expect(byDeadline.json.items[0].deadline).toBe('2026-02-28');
    const overdue = await get('/v1/petitions?overdue=true&order=deadline');
    expect(overdue.json.items.map((i: { id: string }) => i.id)).not.toContain('BENCH-1');
    expect(overdue.json.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    expect((await get('/v1/petitions?overdue=maybe')).status).toBe(400);
  });

  it('names a campaign by its characteristic words instead of its id', async () => {
    const list = await get('/v1/campaigns');
    const c = list.json.items.find((i: { size: number }) => i.size >= 3);
    expect(c, JSON.stringify(list.json.items)).toBeTruthy();
    expect(c.name).not.toBe(c.id);
    expect(c.name).toMatch(/pływ|uczni|nauk/);
    const one = await get(`/v1/campaigns/${encodeURIComponent(c.id)}`);
    expect(one.json.name).toBe(c.name);
  });
});
