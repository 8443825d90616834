/**
 * Compiles the native harnesses on first use: g++ for the CPU harness, nvcc for the CUDA one
 * (when nvcc exists). Outputs go to native-runner/build/ (git-ignored) with a stamp holding a
 * hash of the sources and flags; a harness is rebuilt when a source or the flags changed. The
 * compiler writes to a temporary name that is renamed into place, so a concurrent build or run
 * never sees half a binary.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { BUILD_ROOT, NATIVE_ROOT, findExecutable, tail } from './backends/host.ts';

/** Harnesses this module builds. */
export type NativeTarget = 'cpu' | 'cuda';

/** CUDA architectures `npm run build:native` targets: A100, L4, H100. */
export const DEFAULT_CUDA_ARCHS = ['80', '89', '90'] as const;

/** One compiler invocation. */
export interface BuildStep {
  /** Compiler executable. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** For a cacheable compile: the object it writes and the files it reads (unit + headers). */
  cache?: { output: string; inputs: string[] };
}

/** A resolved build: what to run and what it produces. */
export interface BuildPlan {
  /** Which harness. */
  target: NativeTarget;
  /** The executable it produces. */
  output: string;
  /** Files whose content makes the output stale when it changes. */
  sources: string[];
  /** Compiles that may run in parallel (one object each); empty for a one-step build. */
  compile: BuildStep[];
  /** The last step, writing `output` + a temporary suffix (`tmpOutput`). */
  link: BuildStep;
  /** The flags recorded in the result files' env fingerprint. */
  flags: string;
}

/** A build that could not run or failed; the message says why and quotes the compiler. */
export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

const CPU_DIR = join(NATIVE_ROOT, 'cpu');
const CUDA_DIR = join(NATIVE_ROOT, 'cuda');

function filesIn(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f));
}

/** Finds nvcc on PATH, in $CUDA_HOME/bin or /usr/local/cuda/bin. */
export function findNvcc(): string | null {
  const home = process.env.CUDA_HOME ?? process.env.CUDA_PATH;
  return findExecutable('nvcc', [
    ...(home ? [join(home, 'bin', 'nvcc')] : []),
    '/usr/local/cuda/bin/nvcc',
  ]);
}

/** Finds g++ on PATH (or $CXX when it names an executable). */
export function findGxx(): string | null {
  const cxx = process.env.CXX;
  return (cxx ? findExecutable(cxx, [cxx]) : null) ?? findExecutable('g++');
}

/** Where a plan's compiler writes before the output is renamed into place. */
export function tmpOutput(plan: { output: string }): string {
  return `${plan.output}.tmp${process.pid}`;
}

/** CUDA kernel files: one `flash_*.cu` per kernel version, each registering itself. */
export function cudaKernelFiles(): string[] {
  return filesIn(CUDA_DIR, /^flash_.*\.cu$/).sort();
}

/** `-gencode` for an arch; sm_90 is built as sm_90a so Hopper-only kernels (wgmma, TMA) run. */
function gencodeFor(arch: string): string {
  const a = arch === '90' ? '90a' : arch;
  return `-gencode arch=compute_${a},code=sm_${a}`;
}

/**
 * The build of a target; `archs` picks CUDA architectures (default sm_80, sm_89, sm_90). The
 * CUDA harness is harness.cu + naive_f32.cu + every flash_*.cu, compiled to objects in parallel.
 */
export function planBuild(
  target: NativeTarget,
  options: { archs?: readonly string[] } = {},
): BuildPlan {
  if (target === 'cpu') {
    const output = join(BUILD_ROOT, 'cpu', 'attnlab-cpu');
    const flags = '-O3 -march=native -fopenmp -std=c++17';
    return {
      target,
      output,
      sources: filesIn(CPU_DIR, /\.(cpp|hpp)$/),
      compile: [],
      link: {
        command: findGxx() ?? 'g++',
        args: [
          ...flags.split(' '),
          `-DATTNLAB_CXX_FLAGS="${flags}"`,
          '-o',
          tmpOutput({ output }),
          join(CPU_DIR, 'harness.cpp'),
          join(CPU_DIR, 'kernels.cpp'),
        ],
      },
      flags,
    };
  }
  const archs = options.archs ?? DEFAULT_CUDA_ARCHS;
  for (const a of archs) {
    if (!/^\d{2,3}a?$/.test(a)) throw new BuildError(`CUDA arch "${a}" is not like 80, 89 or 90`);
  }
  // The default arch set builds attnlab-cuda; another set gets its own name, so an on-demand
  // build for the local GPU never overwrites (and invalidates) the full one, or the reverse.
  const isDefault = archs.join(' ') === DEFAULT_CUDA_ARCHS.join(' ');
  const output = join(
    BUILD_ROOT,
    'cuda',
    isDefault ? 'attnlab-cuda' : `attnlab-cuda-sm${archs.join('-')}`,
  );
  const gencode = [
    ...archs.map(gencodeFor),
    // PTX for compute_90 too, so GPUs newer than the list JIT-compile instead of failing.
    '-gencode arch=compute_90,code=compute_90',
  ];
  const base = '-O3 -std=c++17 -lineinfo -Xcompiler -fopenmp';
  const flags = `${base} ${gencode.join(' ')}`;
  const nvcc = findNvcc() ?? 'nvcc';
  // Objects live in a folder per flag set, so builds for different archs never mix objects.
  const objDir = join(
    BUILD_ROOT,
    'cuda',
    `obj-${createHash('sha256').update(flags).digest('hex').slice(0, 12)}`,
  );
  const units = [
    join(CUDA_DIR, 'harness.cu'),
    join(CUDA_DIR, 'naive_f32.cu'),
    ...cudaKernelFiles(),
  ];
  const objects = units.map((u) => join(objDir, `${basename(u, '.cu')}.o`));
  const headers = [...filesIn(CUDA_DIR, /\.(cuh|hpp)$/), ...filesIn(CPU_DIR, /\.hpp$/)];
  return {
    target,
    output,
    sources: [
      ...filesIn(CUDA_DIR, /\.(cu|cuh|hpp)$/).filter((f) => !basename(f).startsWith('emulate_')),
      ...filesIn(CPU_DIR, /\.hpp$/),
    ],
    compile: units.map((u, i) => ({
      command: nvcc,
      args: [
        ...flags.split(' '),
        `-DATTNLAB_NVCC_FLAGS="${flags}"`,
        '-c',
        '-o',
        objects[i] ?? '',
        u,
      ],
      cache: { output: objects[i] ?? '', inputs: [u, ...headers] },
    })),
    link: {
      command: nvcc,
      args: [...flags.split(' '), '-o', tmpOutput({ output }), ...objects, '-ldl'],
    },
    flags,
  };
}

function stampPath(plan: BuildPlan): string {
  return `${plan.output}.build.json`;
}

/**
 * Hash of the sources' contents and the flags. Content, not mtimes: a build that read a source
 * just before it was edited must not look fresh afterwards (its output would be newer).
 */
export function buildHash(plan: BuildPlan): string {
  const h = createHash('sha256').update(plan.flags);
  // Paths relative to native-runner/, so a build shipped to another machine (the GPU-host
  // bundle) is still recognised as fresh there.
  for (const s of [...plan.sources].sort()) {
    h.update(`\0${relative(NATIVE_ROOT, s)}\0`).update(readFileSync(s));
  }
  return h.digest('hex');
}

/** Whether the output exists and was built from exactly these sources with these flags. */
export function isFresh(plan: BuildPlan): boolean {
  if (!existsSync(plan.output)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampPath(plan), 'utf8')) as { hash?: unknown };
    return stamp.hash === buildHash(plan);
  } catch {
    return false;
  }
}

/** Hash of a cacheable step: its command line and the content of what it reads. */
function stepHash(step: BuildStep): string {
  const h = createHash('sha256').update(JSON.stringify([step.command, step.args]));
  for (const f of step.cache?.inputs ?? []) h.update(`\0${basename(f)}\0`).update(readFileSync(f));
  return h.digest('hex');
}

/** Whether a cacheable step's object exists and was made from the same inputs. */
function stepFresh(step: BuildStep, hash: string): boolean {
  if (!step.cache || !existsSync(step.cache.output)) return false;
  try {
    return readFileSync(`${step.cache.output}.hash`, 'utf8') === hash;
  } catch {
    return false;
  }
}

/** Runs one compiler step (timeout 20 min); rejects with BuildError quoting the compiler. */
function runStep(
  plan: BuildPlan,
  step: BuildStep,
  onOutput?: (text: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(step.command, step.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      out = (out + text).slice(-20_000);
      onOutput?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new BuildError(`cannot run ${step.command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve();
        return;
      }
      const why = signal ? `was killed (${signal})` : `exited with code ${code ?? '?'}`;
      reject(
        new BuildError(
          `building the ${plan.target} harness failed: ${basename(step.command)} ${why}\n${tail(out)}`,
        ),
      );
    });
  });
}

/**
 * Runs a plan: the compile steps in parallel (as many as there are cores), then the link; then
 * renames the output into place and writes the stamp. Throws BuildError on failure.
 */
export async function runBuild(
  plan: BuildPlan,
  onOutput?: (text: string) => void,
): Promise<string> {
  mkdirSync(dirname(plan.output), { recursive: true });
  for (const step of plan.compile) {
    const o = step.args[step.args.indexOf('-o') + 1];
    if (o !== undefined) mkdirSync(dirname(o), { recursive: true });
  }
  const tmp = tmpOutput(plan);
  const hash = buildHash(plan); // taken before compiling: what the compiler is about to read
  try {
    const queue = [...plan.compile];
    const worker = async (): Promise<void> => {
      for (let step = queue.shift(); step; step = queue.shift()) {
        // Objects compiled from unchanged inputs are reused: editing one kernel file
        // recompiles that file only.
        const hash = stepHash(step);
        if (stepFresh(step, hash)) continue;
        await runStep(plan, step, onOutput);
        if (step.cache) writeFileAtomic.sync(`${step.cache.output}.hash`, hash);
      }
    };
    const lanes = Math.max(1, Math.min(availableParallelism(), queue.length));
    await Promise.all(Array.from({ length: lanes }, worker));
    await runStep(plan, plan.link, onOutput);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    renameSync(tmp, plan.output);
    writeFileAtomic.sync(
      stampPath(plan),
      JSON.stringify({ flags: plan.flags, hash, builtAt: new Date().toISOString() }) + '\n',
    );
  } catch (err) {
    throw new BuildError(`cannot install ${plan.output}: ${(err as Error).message}`);
  }
  return plan.output;
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Returns the path of an up-to-date harness, compiling it first when needed. Concurrent callers
 * share one build. Throws BuildError when the compiler is missing or fails.
 */
export function ensureBuilt(
  target: NativeTarget,
  options: { archs?: readonly string[] } = {},
): Promise<string> {
  const plan = planBuild(target, options);
  if (isFresh(plan)) return Promise.resolve(plan.output);
  // A fresh `npm run build:native` harness (all default archs) serves any one of them.
  const full = planBuild(target);
  const covered = (options.archs ?? []).every((a) =>
    (DEFAULT_CUDA_ARCHS as readonly string[]).includes(a),
  );
  if (target === 'cuda' && covered && isFresh(full)) return Promise.resolve(full.output);
  const key = `${target}:${plan.flags}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const compiler = target === 'cpu' ? findGxx() : findNvcc();
  if (!compiler) {
    return Promise.reject(
      new BuildError(
        target === 'cpu'
          ? 'no C++ compiler: g++ is not on PATH (set CXX), and there is no built CPU harness'
          : 'nvcc not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin), and there is no built CUDA harness',
      ),
    );
  }
  const job = runBuild(plan).finally(() => inFlight.delete(key));
  inFlight.set(key, job);
  return job;
}
