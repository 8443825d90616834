/**
 * User code over the wire: refused unless the runner was started with --allow-user-code (the
 * error names the flag), then admitted only by backends that take the language; sources over
 * 256 KiB are refused by message validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/model/index.ts';
import { TestClient } from './testing/client.ts';
import { fakeBackend } from './testing/fake-backends.ts';
import { runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const WGSL = { language: 'wgsl', source: '// @attnlab like=flash-f32\nfn f() {}', name: 'mine' };

async function serverWith(allowUserCode: boolean): Promise<TestServer> {
  const wgsl = { ...fakeBackend({ id: 'fake' }), userKernelLanguages: ['wgsl'] as const };
  return startTestServer({ allowUserCode, fakes: [wgsl, fakeBackend({ id: 'cpu' })] });
}

describe('without --allow-user-code', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await serverWith(false);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses a run carrying user code, naming the flag, and starts nothing', async () => {
    const c = await TestClient.open(t.server.url);
    c.send(runMessage('u1', 'stream', { userKernel: WGSL }));
    const end = (await c.final('u1')) as Of<'error'>;
    expect(end.type).toBe('error');
    expect(end.code).toBe('user-code-refused');
    expect(end.message).toMatch(/start it with `attnlab serve --allow-user-code`/);
    expect(t.fakes.get('fake')?.started).toEqual([]);
    c.send(runMessage('plain', 'stream', { stop: { kind: 'count', iterations: 3 } }));
    expect((await c.final('plain')).type).toBe('runDone');
    c.close();
  });
});

describe('with --allow-user-code', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await serverWith(true);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('hands the user kernel to a backend that takes its language', async () => {
    const c = await TestClient.open(t.server.url);
    c.send(
      runMessage('u2', 'stream', { userKernel: WGSL, stop: { kind: 'count', iterations: 3 } }),
    );
    expect((await c.final('u2')).type).toBe('runDone');
    expect(t.fakes.get('fake')?.started.at(-1)?.userKernel).toEqual(WGSL);
    c.close();
  });

  it('refuses a language the backend does not take, and a backend that takes none', async () => {
    const c = await TestClient.open(t.server.url);
    c.send(runMessage('u3', 'stream', { userKernel: { language: 'python', callable: 'm:f' } }));
    const wrong = (await c.final('u3')) as Of<'error'>;
    expect(wrong.code).toBe('unsupported');
    expect(wrong.message).toBe('userKernel.language: backend fake takes wgsl (got python)');
    c.send(runMessage('u4', 'stream', { backend: 'cpu', userKernel: WGSL }));
    const none = (await c.final('u4')) as Of<'error'>;
    expect(none.message).toBe('userKernel.language: backend cpu takes no user kernels (got wgsl)');
    c.close();
  });

  it('refuses sources over 256 KiB and bad callables as invalid messages, naming the field', async () => {
    const c = await TestClient.open(t.server.url);
    const big = { ...WGSL, source: 'x'.repeat(256 * 1024 + 1) };
    c.send(runMessage('u5', 'stream', { userKernel: big }));
    const tooBig = (await c.final('u5')) as Of<'error'>;
    expect(tooBig.code).toBe('invalid-message');
    expect(tooBig.message).toMatch(/userKernel\.source: must be at most 262144 bytes \(256 KiB\)/);
    c.send(
      runMessage('u6', 'stream', {
        userKernel: { language: 'python', callable: 'os.system("x")' },
      }),
    );
    const bad = (await c.final('u6')) as Of<'error'>;
    expect(bad.message).toMatch(/userKernel\.callable: must be pkg\.module:function/);
    c.close();
  });
});
