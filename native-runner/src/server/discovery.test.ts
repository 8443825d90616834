/**
 * Backends that misbehave at discovery or while streaming: each is reported (unavailable, with
 * the reason, or logged), and none can make the runner send an invalid message or a false ending.
 */
import { expect, it } from 'vitest';
import type { Env } from '../../../src/model/index.ts';
import type { Backend } from '../backend.ts';
import { TestClient, is } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import type { FakeBackend } from './testing/fake-backends.ts';
import { runMessage, startTestServer } from './testing/setup.ts';

function variant(base: FakeBackend, patch: Partial<Backend>): FakeBackend {
  return { ...base, ...patch };
}

it('reports backends whose discovery throws, hangs or lies as unavailable, with the reason', async () => {
  const t = await startTestServer({
    discoverTimeoutMs: 300,
    fakes: [
      variant(fakeBackend({ id: 'cuda' }), {
        discover: () => Promise.reject(new Error('libcuda.so.1: cannot open shared object file')),
      }),
      variant(fakeBackend({ id: 'sdpa' }), { discover: () => new Promise(() => undefined) }),
      variant(fakeBackend({ id: 'dawn' }), {
        discover: () => Promise.resolve({ id: 'dawn', available: 'yes' } as never),
      }),
      variant(fakeBackend({ id: 'fake' }), {
        env: () => Promise.resolve({ host: { cpus: 'many' } } as unknown as Env),
      }),
    ],
  });
  try {
    const byId = new Map(t.server.backends.map((b) => [b.id, b]));
    expect(byId.get('cuda')).toMatchObject({
      available: false,
      reason: 'libcuda.so.1: cannot open shared object file',
    });
    expect(byId.get('sdpa')).toMatchObject({
      available: false,
      reason: 'sdpa: discovery did not answer within 0.3 s',
    });
    expect(byId.get('dawn')?.available).toBe(false);
    expect(byId.get('dawn')?.reason).toMatch(
      /discovery returned an invalid description: available/,
    );
    expect(byId.get('fake')?.available).toBe(true);
    expect(t.logs.join('\n')).toMatch(
      /backend fake: invalid environment fingerprint ignored: host\.cpus/,
    );
    // The welcome stays valid (the client validates it), and a refused backend says why.
    const c = await TestClient.open(t.server.url);
    c.send({ type: 'hello' });
    await c.waitFor(is.welcome);
    c.send(runMessage('on-cuda', 'stream', { backend: 'cuda' }));
    const err = await c.waitFor(is.error);
    expect(err).toMatchObject({ id: 'on-cuda', code: 'unsupported' });
    expect(err.message).toMatch(/cuda is not available on this runner: libcuda\.so\.1/);
    expect(c.invalid).toEqual([]);
    c.close();
  } finally {
    await t.stop();
  }
});

it('refuses two backends with the same id', async () => {
  await expect(
    startTestServer({ fakes: [fakeBackend({ id: 'cpu' }), fakeBackend({ id: 'cpu' })] }),
  ).rejects.toThrow('backends: the id "cpu" is registered twice');
});

it('drops an invalid progress message instead of ending the run with a false error', async () => {
  const base = fakeBackend({ id: 'fake', kernels: { stream: 'stream' } });
  const broken = variant(base, {
    start(request, hooks) {
      return base.start(request, {
        ...hooks,
        onProgress: (p) => {
          hooks.onProgress({ ...p, medianMs: Number.NaN });
        },
      });
    },
  });
  const t = await startTestServer({ fakes: [broken] });
  try {
    const c = await TestClient.open(t.server.url);
    c.send(runMessage('nan-progress', 'stream', { stop: { kind: 'count', iterations: 30 } }));
    const final = await c.final('nan-progress');
    expect(final.type).toBe('runDone');
    expect(c.about('nan-progress').filter((m) => m.type === 'error')).toEqual([]);
    expect(c.about('nan-progress').some((m) => m.type === 'progress' && m.phase === 'timing')).toBe(
      false,
    );
    expect(t.logs.some((l) => /runner bug: outgoing progress message is invalid/.test(l))).toBe(
      true,
    );
    expect(c.invalid).toEqual([]);
    c.close();
  } finally {
    await t.stop();
  }
});

it('binds before discovering: a client that connects meanwhile is served once the runner is ready', async () => {
  const probe = await startTestServer();
  const port = probe.server.port;
  await probe.stop();
  const base = fakeBackend({ id: 'fake' });
  let discovered = false;
  const slow = variant(base, {
    discover: () =>
      new Promise((resolve) =>
        setTimeout(() => {
          discovered = true;
          resolve(base.discover());
        }, 500),
      ),
  });
  const starting = startTestServer({ port, fakes: [slow] });
  await new Promise((r) => setTimeout(r, 150));
  expect(discovered).toBe(false);
  const early = await TestClient.open(`ws://127.0.0.1:${String(port)}`);
  expect(discovered).toBe(true);
  early.send({ type: 'hello' });
  const welcome = await early.waitFor(is.welcome);
  expect(welcome.backends.map((b) => b.id)).toEqual(['fake']);
  early.close();
  await (await starting).stop();
});
