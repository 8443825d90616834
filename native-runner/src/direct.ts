/**
 * `attnlab run --backend cuda|sdpa|cpu`: a native backend driven directly, no server. User
 * inputs go to the harness as one raw f32 file (q, then k and v of the K/V shape); with `wantOutput` the
 * harness writes O as raw f32 to a temporary file that is read back into the outcome.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvTensorElements, tensorElements } from '../../src/model/index.ts';
import type {
  DirectRunOptions,
  DirectRunOutcome,
  DirectRunner,
  InputTensors,
  ResultFile,
} from '../../src/model/index.ts';
import { RunnerError } from './backend.ts';
import { requireAvailable } from './backends/native.ts';
import type { NativeBackend } from './backends/native.ts';
import { CpuBackend } from './backends/cpu.ts';
import { CudaBackend } from './backends/cuda.ts';
import { SdpaBackend } from './backends/sdpa.ts';

const FACTORIES: Record<string, () => NativeBackend> = {
  cuda: () => new CudaBackend(),
  sdpa: () => new SdpaBackend(),
  cpu: () => new CpuBackend(),
};

async function writeInputs(
  dir: string,
  inputs: InputTensors,
  n: number,
  nkv: number,
): Promise<string> {
  const want = { q: [n, 'B·H·S·D'], k: [nkv, 'B·Hkv·Skv·D'], v: [nkv, 'B·Hkv·Skv·D'] } as const;
  for (const name of ['q', 'k', 'v'] as const) {
    const [count, formula] = want[name];
    if (inputs[name].length !== count) {
      throw new RunnerError(
        'bad-config',
        `inputs.${name}: has ${inputs[name].length} values; ${formula} = ${count}`,
      );
    }
  }
  const bytes = new Uint8Array((n + 2 * nkv) * 4);
  const all = new Float32Array(bytes.buffer);
  all.set(inputs.q, 0);
  all.set(inputs.k, n);
  all.set(inputs.v, n + nkv);
  const path = join(dir, 'qkv.f32');
  await writeFile(path, bytes);
  return path;
}

async function readOutput(
  path: string,
  n: number,
  result: ResultFile,
): Promise<Float32Array | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined; // the harness failed before writing it; the result says why
  }
  if (bytes.byteLength !== n * 4) {
    throw new RunnerError(
      'harness-error',
      `${result.target.backend} harness wrote ${bytes.byteLength} output bytes; expected ${n * 4}`,
    );
  }
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The direct runner of a native backend (`cuda`, `sdpa` or `cpu`). */
export function directRunner(backend: string): DirectRunner {
  const make = FACTORIES[backend];
  if (!make) {
    throw new RunnerError(
      'unknown-backend',
      `backend: "${backend}" is not native (choose ${Object.keys(FACTORIES).join(', ')})`,
    );
  }
  return async (options: DirectRunOptions): Promise<DirectRunOutcome> => {
    const b = make();
    requireAvailable(await b.discover());
    const n = tensorElements(options.config);
    const dir = await mkdtemp(join(tmpdir(), `attnlab-${backend}-`));
    try {
      const inputsPath = options.inputs
        ? await writeInputs(dir, options.inputs, n, kvTensorElements(options.config))
        : undefined;
      const outputPath = options.wantOutput ? join(dir, 'o.f32') : undefined;
      const handle = b.start(
        {
          id: 'direct',
          config: options.config,
          kernel: options.kernel,
          stop: options.stop,
          cache: options.cache,
          seed: options.seed,
          warmup: options.warmup,
          ...(options.userKernel ? { userKernel: options.userKernel } : {}),
          inputsPath,
          outputPath,
        },
        {
          onSamples: () => undefined,
          onCheck: () => undefined,
          onMemory: () => undefined,
          onClock: () => undefined,
          onProgress: (p) => options.onProgress?.(p),
        },
      );
      const onAbort = (): void => {
        handle.cancel('cancelled by the user');
      };
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await handle.done;
        const output = outputPath ? await readOutput(outputPath, n, result) : undefined;
        return { result, output };
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
