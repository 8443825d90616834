/** Shutting down with jobs in flight, and plain HTTP requests to the WebSocket port. */
import { get } from 'node:http';
import { expect, it } from 'vitest';
import { TestClient } from './testing/client.ts';
import { runMessage, startTestServer } from './testing/setup.ts';

it('cancels running and queued jobs on close, saves their results, then closes sockets with 1001', async () => {
  const t = await startTestServer({ cancelGraceMs: 500 });
  const c = await TestClient.open(t.server.url);
  const long = { stop: { kind: 'count', iterations: 100_000 } };
  c.send(runMessage('running', 'stream', long));
  c.send(runMessage('waiting', 'stream', long));
  c.send(runMessage('deaf', 'deaf', long));
  await c.waitForCount((m) => m.type === 'samples' && m.id === 'running', 1);
  const files = () => t.results();
  const t0 = performance.now();
  await t.server.close();
  expect(performance.now() - t0).toBeLessThan(3000);
  for (const id of ['running', 'waiting', 'deaf']) {
    const final = await c.final(id);
    expect(final).toMatchObject({
      type: 'error',
      code: 'cancelled',
      message: 'the runner is shutting down',
    });
  }
  expect((await c.closed).code).toBe(1001);
  const saved = await files();
  expect(saved).toHaveLength(3);
  expect(saved.every((f) => f.result.status === 'cancelled' && f.result.samples.partial)).toBe(
    true,
  );
  const [running] = await t.resultsOf('running');
  expect(running?.samples.ms.length).toBeGreaterThan(0);
  expect(await t.resultsOf('waiting')).toHaveLength(1);
  expect(await t.resultsOf('deaf')).toHaveLength(1);
  await expect(TestClient.open(t.server.url)).rejects.toThrow();
  expect(c.invalid).toEqual([]);
  await t.stop();
});

it('answers a plain HTTP request with 426 Upgrade Required', async () => {
  const t = await startTestServer();
  try {
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        get(`http://127.0.0.1:${t.server.port}/`, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        }).on('error', reject);
      },
    );
    expect(status).toBe(426);
    expect(body).toMatch(/connect with a WebSocket client/);
  } finally {
    await t.stop();
  }
});
