/**
 * Security over real sockets: token on connect or in hello (constant-time compare), only hello
 * before authentication, the Origin allow-list at the upgrade, and a generated token for a
 * non-loopback host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../src/model/index.ts';
import { isLoopbackHost, originAllowed, originPolicy, tokensEqual } from './auth.ts';
import { TestClient, is } from './testing/client.ts';
import { runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const TOKEN = 'correct-horse-battery-staple';

describe('token', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ token: TOKEN });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('accepts the token as a query parameter and serves at once', async () => {
    expect(t.server.connectUrl).toBe(`${t.server.url}/?token=${TOKEN}`);
    const c = await TestClient.open(t.server.connectUrl);
    c.send({ type: 'listBackends' });
    await c.waitFor(is.backends);
    c.send(runMessage('authed-run', 'stream', { stop: { kind: 'count', iterations: 5 } }));
    expect((await c.final('authed-run')).type).toBe('runDone');
    c.close();
  });

  it('refuses a wrong query token at the upgrade with HTTP 401', async () => {
    const outcome = await TestClient.tryUpgrade(`${t.server.url}/?token=wrong-token-123`);
    expect(outcome).toEqual({ ok: false, status: 401, body: 'wrong token\n' });
  });

  it('accepts only hello until the client authenticates, then everything', async () => {
    const c = await TestClient.open(t.server.url);
    c.send({ type: 'listBackends' });
    c.send(runMessage('early', 'stream'));
    c.send({ type: 'cancel', id: 'early' });
    c.send({ type: 'hello' });
    c.send({ type: 'hello', token: 'not-the-token' });
    const errors = await c.waitForCount((m) => m.type === 'error', 5);
    expect(errors.map((e) => (e as Of<'error'>).code)).toEqual(Array(5).fill('unauthorized'));
    expect((errors[0] as Of<'error'>).message).toMatch(/^listBackends: not authenticated/);
    expect(errors[1]).toMatchObject({ id: 'early' });
    expect((errors[3] as Of<'error'>).message).toMatch(
      /hello\.token: this runner requires a token/,
    );
    expect((errors[4] as Of<'error'>).message).toBe('hello.token: wrong token');
    expect(t.fakes.get('fake')?.started.map((r) => r.id)).not.toContain('early');

    c.send({ type: 'hello', token: TOKEN });
    const welcome = await c.waitFor(is.welcome);
    expect(welcome.runnerId).toBe(t.server.runnerId);
    c.send({ type: 'listBackends' });
    await c.waitFor(is.backends);
    expect(c.invalid).toEqual([]);
    c.close();
  });

  it('compares tokens by value whatever their lengths', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
  });
});

describe('origin allow-list', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ allowOrigins: ['https://lab.example.com'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  const allowed = [
    undefined,
    'http://localhost:5173',
    'http://127.0.0.1:4173',
    'http://[::1]:8080',
    'https://lab.example.com',
  ];
  for (const origin of allowed) {
    it(`allows ${origin ?? 'no Origin (CLI tools)'}`, async () => {
      const outcome = await TestClient.tryUpgrade(
        t.server.url,
        origin === undefined ? {} : { origin },
      );
      expect(outcome).toEqual({ ok: true });
    });
  }

  const refused = [
    'https://evil.example.com',
    'http://lab.example.com',
    'https://lab.example.com:8443',
    'null',
    'file://',
    'http://localhost.evil.com',
  ];
  for (const origin of refused) {
    it(`refuses ${origin} with HTTP 403`, async () => {
      const outcome = await TestClient.tryUpgrade(t.server.url, { origin });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.status).toBe(403);
      expect(outcome.body).toMatch(/is not allowed; start the runner with --allow-origin/);
    });
  }

  it('builds policies from --allow-origin values and names a bad one', () => {
    expect(originAllowed(originPolicy(['*']), 'https://anything.example')).toBe(true);
    expect(originAllowed(originPolicy([]), 'https://lab.example.com')).toBe(false);
    expect(() => originPolicy(['lab.example.com'])).toThrow(
      /allowOrigin: "lab.example.com" is not a URL/,
    );
    expect(() => originPolicy(['ftp://x.example'])).toThrow(
      /must be an http:\/\/ or https:\/\/ origin/,
    );
  });
});

describe('binding', () => {
  it('treats only loopback names and addresses as loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h)).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '10.0.0.1']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });

  it('binds 127.0.0.1 without a token by default', async () => {
    const t = await startTestServer();
    expect(t.server.host).toBe('127.0.0.1');
    expect(t.server.token).toBeUndefined();
    expect(t.server.url).toBe(`ws://127.0.0.1:${t.server.port}`);
    await t.stop();
  });

  it('generates a token for a non-loopback host and requires it', async () => {
    const t = await startTestServer({ host: '0.0.0.0' });
    try {
      expect(t.server.tokenGenerated).toBe(true);
      expect(t.server.token).toMatch(/^[\w-]{43}$/);
      const local = `ws://127.0.0.1:${t.server.port}`;
      const c = await TestClient.open(local);
      c.send({ type: 'listBackends' });
      const err = await c.waitFor(is.error);
      expect(err.code).toBe('unauthorized');
      c.close();
      const ok = await TestClient.open(`${local}/?token=${t.server.token ?? ''}`);
      ok.send({ type: 'hello' });
      await ok.waitFor(is.welcome);
      ok.close();
    } finally {
      await t.stop();
    }
  });

  it('refuses bad options with the option name and range', async () => {
    await expect(startTestServer({ port: 70000 })).rejects.toThrow(
      'port: must be an integer in 0..65535 (got 70000)',
    );
    await expect(startTestServer({ token: 'short' })).rejects.toThrow(
      'token: must be 8..256 printable ASCII characters without spaces',
    );
    await expect(startTestServer({ flushMs: 500 })).rejects.toThrow(
      'flushMs: must be an integer in 1..100 (got 500)',
    );
  });

  it('reports a port in use clearly', async () => {
    const a = await startTestServer();
    try {
      await expect(startTestServer({ port: a.server.port })).rejects.toThrow(
        `cannot listen: port ${a.server.port} on 127.0.0.1 is in use`,
      );
    } finally {
      await a.stop();
    }
  });
});
