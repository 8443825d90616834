/**
 * `npm run stream-check -- [--url ws://127.0.0.1:8765] [--backend cuda] [--kernel flash]
 * [--dtype f16] [--shape 8,16,2048,128] [--iterations 300] [--token T] [--log FILE]`:
 * a minimal WebSocket client of a running `attnlab serve`. It says hello, lists the backends,
 * runs one job and prints, as it arrives, every message of that run (samples batches with their
 * arrival gaps, progress, check, runDone). Every message is validated against the protocol
 * schema; the exit status is 0 only when the run ended in `runDone` with no invalid message.
 * Use it to see that a runner on a GPU host streams, without the lab.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ValidationError, parseServerMessage, validateConfig } from '../src/model/index.ts';
import type { ClientMessage, ServerMessage } from '../src/model/index.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:8765' },
    backend: { type: 'string', default: 'cuda' },
    kernel: { type: 'string', default: 'flash' },
    dtype: { type: 'string', default: 'f16' },
    shape: { type: 'string', default: '8,16,2048,128' },
    causal: { type: 'boolean', default: false },
    iterations: { type: 'string', default: '300' },
    token: { type: 'string' },
    log: { type: 'string' },
  },
});

const dims = values.shape.split(',').map(Number);
if (dims.length !== 4 || dims.some((x) => !Number.isInteger(x) || x < 1)) {
  process.stderr.write(
    `--shape: expected B,H,S,D (four positive integers), got "${values.shape}"\n`,
  );
  process.exit(2);
}
const iterations = Number(values.iterations);
if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100_000) {
  process.stderr.write(
    `--iterations: expected an integer in 1..100000, got "${values.iterations}"\n`,
  );
  process.exit(2);
}
const [batch, heads, seqLen, headDim] = dims;
let config;
try {
  config = validateConfig({
    batch,
    heads,
    seqLen,
    headDim,
    causal: values.causal,
    dtype: values.dtype,
  });
} catch (err) {
  if (!(err instanceof ValidationError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const t0 = performance.now();
const at = (): string => `${((performance.now() - t0) / 1000).toFixed(3)}s`;
const record: { t: number; message: ServerMessage }[] = [];
const invalid: string[] = [];
let lastBatch = -1;
let maxGap = 0;
let sampleCount = 0;
let batches = 0;

function send(ws: WebSocket, message: ClientMessage): void {
  ws.send(JSON.stringify(message));
}

const ws = new WebSocket(values.url, { maxPayload: 64 << 20 });
const outcome = await new Promise<'done' | 'error'>((resolve) => {
  ws.on('open', () => {
    send(ws, {
      type: 'hello',
      client: 'stream-check',
      ...(values.token !== undefined ? { token: values.token } : {}),
    });
  });
  ws.on('message', (data: Buffer) => {
    const parsed = parseServerMessage(data.toString('utf8'));
    if (!parsed.ok) {
      invalid.push(parsed.error);
      process.stdout.write(`${at()} INVALID ${parsed.error}\n`);
      return;
    }
    const m = parsed.message;
    record.push({ t: performance.now() - t0, message: m });
    switch (m.type) {
      case 'welcome':
        process.stdout.write(
          `${at()} welcome runner ${m.runnerId} v${m.version}, GPU ${m.env.gpu?.name ?? 'none'}; backends ${m.backends.map((b) => `${b.id}${b.available ? '' : ' (unavailable)'}`).join(', ')}\n`,
        );
        send(ws, {
          type: 'run',
          id: 'stream-check-1',
          backend: values.backend,
          kernel: values.kernel,
          config,
          stop: { kind: 'count', iterations },
        });
        break;
      case 'samples': {
        const now = performance.now();
        if (lastBatch >= 0) maxGap = Math.max(maxGap, now - lastBatch);
        lastBatch = now;
        batches++;
        sampleCount += m.ms.length;
        process.stdout.write(
          `${at()} samples seq=${m.seq} n=${m.ms.length} total=${sampleCount} first=${m.ms[0]?.toFixed(4) ?? '-'} ms\n`,
        );
        break;
      }
      case 'progress':
        process.stdout.write(
          `${at()} progress ${m.state} ${m.phase ?? ''} samples=${m.samples} median=${m.medianMs?.toFixed(4) ?? '-'} ms\n`,
        );
        break;
      case 'check':
        process.stdout.write(
          `${at()} check ${m.correctness.passed ? 'pass' : 'FAIL'} ${JSON.stringify(m.correctness).slice(0, 200)}\n`,
        );
        break;
      case 'runDone': {
        const d = m.result.derived;
        const figures =
          d === null
            ? 'no figures'
            : `median ${d.medianMs.toFixed(4)} ms [${d.ci[0].toFixed(4)}, ${d.ci[1].toFixed(4)}], ${d.tflops.toPrecision(3)} TFLOP/s`;
        process.stdout.write(
          `${at()} runDone ${m.result.status}, ${m.result.samples.ms.length} samples, ${figures}; ${batches} batches, longest gap between batches ${maxGap.toFixed(0)} ms\n`,
        );
        resolve(m.result.status === 'completed' ? 'done' : 'error');
        break;
      }
      case 'error':
        process.stdout.write(`${at()} error ${m.code}: ${m.message}\n`);
        if (m.id !== undefined || record.length <= 1) resolve('error');
        break;
      default:
        process.stdout.write(`${at()} ${m.type}\n`);
    }
  });
  ws.on('error', (err) => {
    process.stdout.write(`${at()} socket error: ${err.message}\n`);
    resolve('error');
  });
  ws.on('close', () => {
    resolve('error');
  });
});
ws.close();
if (values.log !== undefined) writeFileSync(values.log, JSON.stringify({ record, invalid }));
process.exit(outcome === 'done' && invalid.length === 0 ? 0 : 1);
