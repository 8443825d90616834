/**
 * Abuse resilience: more than 10,000 malformed or hostile messages (bad JSON, wrong types,
 * unknown types, non-objects, deeply nested JSON, binary frames, bad tokens, out-of-bounds
 * configs), each answered with exactly one `error` of the right code, in order; huge frames and
 * invalid UTF-8 close only their own connection (1009 / 1007); wrong Origins and tokens are
 * refused at the upgrade. Meanwhile another client's run completes and the server keeps serving.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, ERROR_CODES } from '../../../src/model/index.ts';
import type { ErrorCode, ServerMessage } from '../../../src/model/index.ts';
import { createRng } from '../../../src/stats/index.ts';
import type { Rng } from '../../../src/stats/index.ts';
import { TestClient, is } from './testing/client.ts';
import { SMALL_CONFIG, runMessage, startTestServer } from './testing/setup.ts';
import type { TestServer } from './testing/setup.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const TOKEN = 'hostile-test-token-0123456789';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ token: TOKEN });
});
afterAll(async () => {
  await t.stop();
});

/** A hostile message and the error code it must get. */
interface Case {
  text: string;
  code: ErrorCode;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => {
  const x = xs[rng.nextInt(xs.length)];
  if (x === undefined) throw new Error('empty choice');
  return x;
};

function randomText(rng: Rng, n: number): string {
  const alphabet = '{}[]":,0123456789abcdefnulltrue \\\n\t\u00e9\u4e2d\ud83d\ude00';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.nextInt(alphabet.length)] ?? '';
  return s;
}

const WRONG_VALUES: unknown[] = [null, true, -1, 0, 1.5, 1e300, '', 'x', [], {}, [1, 2], { a: 1 }];

/** Run-message mutations that must be refused, each with its code. */
function badRun(rng: Rng): Case {
  const base = runMessage(`h${rng.nextInt(1e9)}`);
  const config = { ...SMALL_CONFIG } as Record<string, unknown>;
  const variants: (() => [Record<string, unknown>, ErrorCode])[] = [
    () => [
      { ...base, config: { ...config, batch: pick(rng, [0, -3, 1.5, 5000, '2', null]) } },
      'bad-config',
    ],
    () => [
      { ...base, config: { ...config, seqLen: pick(rng, [0, 65537, 2.5, 'long', 1e12]) } },
      'bad-config',
    ],
    () => [
      { ...base, config: { ...config, headDim: pick(rng, [7, 12, 300, 0, 'x']) } },
      'bad-config',
    ],
    () => [
      { ...base, config: { ...config, dtype: pick(rng, ['f64', 'int8', 3, null]) } },
      'bad-config',
    ],
    () => [{ ...base, config: { ...config, causal: pick(rng, ['yes', 1, null]) } }, 'bad-config'],
    () => [{ ...base, config: { ...config, scale: pick(rng, [0, -1, 'big']) } }, 'bad-config'],
    () => [{ ...base, config: { ...config, extra: 1 } }, 'bad-config'],
    () => [{ ...base, config: pick(rng, WRONG_VALUES) }, 'bad-config'],
    () => [
      { ...base, id: pick(rng, [5, '', 'has space', 'x'.repeat(101), null, '../etc']) },
      'invalid-message',
    ],
    () => [{ ...base, backend: pick(rng, ['', 'b'.repeat(65), 7]) }, 'invalid-message'],
    () => [{ ...base, kernel: pick(rng, ['', 'k'.repeat(65), false]) }, 'invalid-message'],
    () => [{ ...base, stop: pick(rng, WRONG_VALUES) }, 'invalid-message'],
    () => [
      { ...base, stop: { kind: 'count', iterations: pick(rng, [0, -1, 100_001, 2.5]) } },
      'invalid-message',
    ],
    () => [{ ...base, stop: { kind: 'ci', target: pick(rng, [0, 0.6, -0.1]) } }, 'invalid-message'],
    () => [{ ...base, stop: { kind: 'forever' } }, 'invalid-message'],
    () => [{ ...base, seed: pick(rng, [-1, 2 ** 32, 1.5, 'seed']) }, 'invalid-message'],
    () => [{ ...base, warmup: pick(rng, [-1, 10_001, 'lots']) }, 'invalid-message'],
    () => [{ ...base, cache: pick(rng, ['hot', 1]) }, 'invalid-message'],
    () => [{ ...base, sneaky: pick(rng, WRONG_VALUES) }, 'invalid-message'],
  ];
  const [msg, code] = pick(rng, variants)();
  return { text: JSON.stringify(msg), code };
}

function hostileCase(rng: Rng, i: number): Case {
  switch (i % 8) {
    case 0: {
      // A proper prefix of an object's JSON text is never valid JSON.
      const whole = JSON.stringify(runMessage(`p${i}`));
      return { text: whole.slice(0, 1 + rng.nextInt(whole.length - 1)), code: 'bad-json' };
    }
    case 1:
      return { text: `{${randomText(rng, 1 + rng.nextInt(60))}`, code: 'bad-json' };
    case 2:
      return {
        text: JSON.stringify(pick(rng, [[], [1], 'hello', 42, null, true, [{ type: 'hello' }]])),
        code: 'invalid-message',
      };
    case 3:
      return {
        text: JSON.stringify({
          type: pick(rng, ['explode', 'HELLO', 'runs', '', 'welcome', 'error']),
        }),
        code: 'unknown-type',
      };
    case 4:
      return {
        text: JSON.stringify(
          pick(rng, [{}, { type: 7 }, { type: null }, { id: 'x' }, { type: ['run'] }]),
        ),
        code: 'unknown-type',
      };
    case 5:
      return {
        text: JSON.stringify(
          pick(rng, [
            { type: 'hello', token: pick(rng, [1, null, [], 'x'.repeat(257)]) },
            { type: 'hello', client: 'c'.repeat(101) },
            { type: 'listBackends', please: true },
            { type: 'cancel' },
            { type: 'cancel', id: pick(rng, [1, '', 'a b', null]) },
            JSON.parse('{"type":"hello","__proto__":{"admin":true}}') as unknown,
          ]),
        ),
        code: 'invalid-message',
      };
    default:
      return badRun(rng);
  }
}

/** Nested arrays/objects close to the size limit. */
function deepCase(depth: number, kind: 'array' | 'object'): Case {
  const inner =
    kind === 'array'
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return { text: `{"type":"hello","client":${inner}}`, code: 'invalid-message' };
}

it('answers 10,000+ hostile messages with one error each, in order, and keeps serving', async () => {
  const started = performance.now();
  const rng = createRng(20251123);
  const cases: Case[] = [];
  for (let i = 0; i < 10_000; i++) cases.push(hostileCase(rng, i));
  for (const depth of [10, 1000, 100_000, 300_000]) {
    cases.push(deepCase(depth, 'array'), deepCase(Math.floor(depth / 6), 'object'));
  }
  // Also deeply nested JSON that is broken at the very end: refused before parsing.
  cases.push({ text: '['.repeat(500_000), code: 'invalid-message' });
  for (const c of cases) expect(Buffer.byteLength(c.text)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);

  const attacker = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
  const bystander = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
  bystander.send(runMessage('bystander', 'stream', { stop: { kind: 'count', iterations: 200 } }));

  for (const c of cases) attacker.send(c.text);
  const binary = 200;
  for (let i = 0; i < binary; i++)
    attacker.sendRaw(Buffer.from([0x7b, i & 0xff, 0x00, 0xff]), true);
  const expected = [
    ...cases.map((c) => c.code),
    ...Array<ErrorCode>(binary).fill('invalid-message'),
  ];
  const errors = (await attacker.waitForCount(is.error, expected.length, 30_000)) as Of<'error'>[];
  expect(attacker.messages.length).toBe(expected.length); // nothing but the errors
  const codes = errors.map((e) => e.code);
  const mismatches = codes
    .map((code, i) => ({ i, code, want: expected[i], text: cases[i]?.text.slice(0, 120) }))
    .filter((m) => m.code !== m.want);
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(codes.filter((c) => !ERROR_CODES.includes(c))).toEqual([]);
  expect(Math.max(...errors.map((e) => e.message.length))).toBeLessThanOrEqual(1000);
  // A refused run that parsed far enough to have a valid id gets its id back.
  const withId = errors.filter((e) => e.id !== undefined);
  expect(withId.length).toBeGreaterThan(500);

  // Unauthenticated connection: messages before hello are refused, and the few failed hellos
  // allowed (2 of 3) are answered; the third closes it (see sockets.test.ts).
  const stranger = await TestClient.open(t.server.url);
  const strangerCount = 500;
  for (let i = 0; i < strangerCount; i++) {
    const attempts: unknown[] = [
      { type: 'listBackends' },
      runMessage(`s${i}`),
      { type: 'cancel', id: `s${i}` },
    ];
    if (i === 100) stranger.send({ type: 'hello', token: `${TOKEN.slice(0, 7)}${i}` });
    else if (i === 200) stranger.send({ type: 'hello' });
    else stranger.send(attempts[i % attempts.length]);
  }
  const denied = (await stranger.waitForCount(is.error, strangerCount, 30_000)) as Of<'error'>[];
  expect(new Set(denied.map((e) => e.code))).toEqual(new Set(['unauthorized']));
  expect(stranger.messages.some((m) => m.type === 'welcome' || m.type === 'backends')).toBe(false);

  // Frames over the limit and invalid UTF-8: the ws layer closes that connection only.
  for (let i = 0; i < 10; i++) {
    const big = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
    big.send(`{"type":"hello","client":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`);
    expect((await big.closed).code).toBe(1009);
  }
  for (let i = 0; i < 5; i++) {
    const bad = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
    bad.sendRaw(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), false);
    expect((await bad.closed).code).toBe(1007);
  }

  // Refused upgrades: wrong Origin (403) and wrong token (401).
  const refusals = await Promise.all([
    ...Array.from({ length: 50 }, (_, i) =>
      TestClient.tryUpgrade(`${t.server.url}/?token=${TOKEN}`, {
        origin: `https://evil${i}.example`,
      }),
    ),
    ...Array.from({ length: 50 }, (_, i) =>
      TestClient.tryUpgrade(`${t.server.url}/?token=bad${i}`),
    ),
  ]);
  const statuses = refusals.map((r) => (r.ok ? 101 : r.status));
  expect(statuses.filter((s) => s === 403)).toHaveLength(50);
  expect(statuses.filter((s) => s === 401)).toHaveLength(50);

  // The bystander's run was unaffected, and the attacker's connection still works.
  const done = await bystander.final('bystander', 20_000);
  expect(done.type).toBe('runDone');
  attacker.send({ type: 'hello' });
  await attacker.waitFor(is.welcome);
  const fresh = await TestClient.open(`${t.server.url}/?token=${TOKEN}`);
  fresh.send(runMessage('after-abuse', 'stream', { stop: { kind: 'count', iterations: 5 } }));
  expect((await fresh.final('after-abuse')).type).toBe('runDone');

  for (const c of [attacker, bystander, stranger, fresh]) {
    expect(c.invalid).toEqual([]);
    c.close();
  }
  const total = expected.length + strangerCount + 10 + 5 + 100;
  expect(total).toBeGreaterThanOrEqual(10_000);
  expect(performance.now() - started).toBeLessThan(20_000);
});
