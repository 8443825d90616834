/** Device lanes: FIFO, one item at a time, positions, removal, and the queue limit. */
import { describe, expect, it } from 'vitest';
import { Lane } from './lanes.ts';
import { TestClient } from './testing/client.ts';
import { runMessage, startTestServer } from './testing/setup.ts';

interface Item {
  name: string;
  finish: () => void;
}

function harness(limit: number) {
  const log: string[] = [];
  const running: Item[] = [];
  const lane = new Lane<Item>(
    'gpu',
    limit,
    (item) =>
      new Promise<void>((resolve) => {
        log.push(`start ${item.name}`);
        running.push(item);
        item.finish = () => {
          log.push(`end ${item.name}`);
          running.splice(running.indexOf(item), 1);
          resolve();
        };
      }),
    (item, position) => log.push(`${item.name}@${position}`),
  );
  const item = (name: string): Item => ({ name, finish: () => undefined });
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return { lane, log, running, item, settle };
}

describe('Lane', () => {
  it('runs one item at a time in FIFO order and announces new positions', async () => {
    const { lane, log, running, item, settle } = harness(10);
    const [a, b, c] = [item('a'), item('b'), item('c')];
    expect([lane.push(a), lane.push(b), lane.push(c)]).toEqual([0, 1, 2]);
    await settle();
    expect(running.map((i) => i.name)).toEqual(['a']);
    expect(lane.waitingCount).toBe(2);
    a.finish();
    await settle();
    b.finish();
    await settle();
    c.finish();
    await settle();
    expect(log).toEqual(['start a', 'end a', 'c@1', 'start b', 'end b', 'start c', 'end c']);
    expect(lane.running).toBeUndefined();
  });

  it('removes a waiting item and moves the ones behind it up', async () => {
    const { lane, log, item, settle } = harness(10);
    const [a, b, c, d] = [item('a'), item('b'), item('c'), item('d')];
    for (const x of [a, b, c, d]) lane.push(x);
    await settle();
    expect(lane.remove(b)).toBe(true);
    expect(lane.remove(a)).toBe(false); // running, not waiting
    expect(log.slice(-2)).toEqual(['c@1', 'd@2']);
    a.finish();
    await settle();
    expect(log.slice(-3)).toEqual(['end a', 'd@1', 'start c']);
  });

  it('refuses items beyond the limit of waiting ones', async () => {
    const { lane, item, settle } = harness(2);
    expect(lane.push(item('a'))).toBe(0);
    expect(lane.push(item('b'))).toBe(1);
    expect(lane.push(item('c'))).toBe(2);
    expect(lane.push(item('d'))).toBeUndefined();
    await settle();
    expect(lane.push(item('e'))).toBeUndefined();
    expect(lane.drain().map((i) => i.name)).toEqual(['b', 'c']);
  });
});

it('answers a run beyond the queue limit with queue-full over the socket', async () => {
  const t = await startTestServer({ queueLimit: 1 });
  try {
    const c = await TestClient.open(t.server.url);
    const long = { stop: { kind: 'count', iterations: 100_000 } };
    c.send(runMessage('q0', 'stream', long));
    c.send(runMessage('q1', 'stream', long));
    c.send(runMessage('q2', 'stream', long));
    // The cpu backend has its own lane, which is still free.
    c.send(runMessage('q3', 'stream', { ...long, backend: 'cpu' }));
    const err = await c.waitFor(
      (m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error' && m.id === 'q2',
    );
    expect(err.code).toBe('queue-full');
    expect(err.message).toMatch(/the gpu lane already has 1 runs waiting/);
    const started = await c.waitForCount((m) => m.type === 'runStarted', 3);
    expect(started).toEqual([
      { type: 'runStarted', id: 'q0', queuePosition: 0 },
      { type: 'runStarted', id: 'q1', queuePosition: 1 },
      { type: 'runStarted', id: 'q3', queuePosition: 0 },
    ]);
    // The queued run hears when it moves up.
    c.send({ type: 'cancel', id: 'q0' });
    await c.waitFor(
      (m): m is Extract<typeof m, { type: 'progress' }> =>
        m.type === 'progress' && m.id === 'q1' && m.state === 'running',
    );
    for (const id of ['q1', 'q3']) c.send({ type: 'cancel', id });
    await Promise.all(['q0', 'q1', 'q3'].map((id) => c.final(id)));
    expect(c.invalid).toEqual([]);
    c.close();
  } finally {
    await t.stop();
  }
});
