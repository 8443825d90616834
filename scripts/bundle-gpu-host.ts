/**
 * `npm run bundle:gpu-host`: one folder and one tarball with everything the runner needs on a
 * linux-x64 GPU server that has no package registry:
 *   node            a copy of this machine's Node binary (process.execPath)
 *   bin/ src/ shaders/ scripts/ native-runner/ package.json   the runner and its TS sources
 *                   (the CLI runs them through tsx; nothing is compiled ahead)
 *   node_modules/   production dependencies only, Dawn's addon pruned to linux-x64
 *   lib/            Debian's Vulkan loader (libvulkan.so.1) for hosts without one
 *   native-runner/build/cuda/   the CUDA harness for sm_80/89/90 (built here with nvcc when stale;
 *                   the sources ship too, so a host with nvcc rebuilds after an edit)
 *   env.sh start.sh run.sh bench.sh   LD_LIBRARY_PATH + the NVIDIA Vulkan ICD, then
 *                   `attnlab serve`, `attnlab run`, or the WebGPU-vs-CUDA bench
 * Output: bundle/attnlab-gpu-host/ and bundle/attnlab-gpu-host.tar.gz (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  DEFAULT_CUDA_ARCHS,
  findNvcc,
  isFresh,
  planBuild,
  runBuild,
} from '../native-runner/src/build.ts';
import { GPU_HOST_SCRIPTS } from './bundle/gpu-host-scripts.ts';

const ROOT = realpathSync(join(dirname(new URL(import.meta.url).pathname), '..'));
const OUT = join(ROOT, 'bundle');
const STAGE = join(OUT, 'attnlab-gpu-host');
const TARBALL = join(OUT, 'attnlab-gpu-host.tar.gz');
/** The tarball must fit the device machine's carry (64 MiB with everything else). */
const MAX_TARBALL_BYTES = 60 * 1024 * 1024;
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64'];

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Copies a repo path into the stage, skipping build outputs, caches, tests and their scratch. */
function copyTree(rel: string, skip: (path: string) => boolean = () => false): void {
  cpSync(join(ROOT, rel), join(STAGE, rel), {
    recursive: true,
    filter: (src) => {
      const r = relative(ROOT, src);
      return (
        !/(^|\/)(__pycache__|node_modules|\.tmp)(\/|$)/.test(r) &&
        !/\.test\.ts$/.test(r) &&
        !skip(r)
      );
    },
  });
}

/** Production packages (`npm ls --omit=dev`), as paths relative to the repo. */
function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .map((p) => relative(ROOT, p.trim()))
    .filter((p) => p.startsWith('node_modules/'));
}

function copyNodeModules(): void {
  const packages = productionPackages();
  for (const pkg of packages) {
    cpSync(join(ROOT, pkg), join(STAGE, pkg), {
      recursive: true,
      // Nested node_modules are listed on their own; Dawn keeps only linux-x64.
      filter: (src) => {
        const r = relative(join(ROOT, pkg), src);
        if (r.startsWith('node_modules')) return false;
        if (pkg === 'node_modules/webgpu' && r.startsWith('dist/')) {
          return r.startsWith('dist/linux-x64');
        }
        // esbuild's own copy of its binary serves only its CLI; tsx's API runs the binary of
        // @esbuild/linux-x64 (also shipped). Dropping it saves 11 MB.
        if (pkg === 'node_modules/esbuild' && r === 'bin/esbuild') return false;
        return true;
      },
    });
  }
  say(
    `node_modules: ${packages.length} production packages, ${mib(sizeOf(join(STAGE, 'node_modules')))}`,
  );
}

function vulkanLoader(): string {
  for (const dir of LOADER_DIRS) {
    const path = join(dir, 'libvulkan.so.1');
    if (existsSync(path)) return realpathSync(path);
  }
  // Not installed here: the Debian package, as the device machine's .carry/ holds it.
  const deb = readdirSync(join(ROOT, '.carry')).find((f) => f.startsWith('libvulkan1_'));
  if (!deb)
    throw new Error(
      'no libvulkan.so.1 here: apt-get install libvulkan1 (or apt-get download libvulkan1 into .carry/)',
    );
  const tmp = join(OUT, 'libvulkan-deb');
  execFileSync('dpkg', ['-x', join(ROOT, '.carry', deb), tmp]);
  return realpathSync(join(tmp, 'usr/lib/x86_64-linux-gnu/libvulkan.so.1'));
}

async function cudaHarness(): Promise<void> {
  const plan = planBuild('cuda', { archs: DEFAULT_CUDA_ARCHS });
  if (!isFresh(plan)) {
    if (!findNvcc()) {
      say('cuda: no nvcc here and no fresh harness: the host builds it on first use (needs nvcc)');
      return;
    }
    say(`cuda: building for sm_${DEFAULT_CUDA_ARCHS.join('/sm_')} (a few minutes)…`);
    await runBuild(plan, (text) => process.stderr.write(text));
  }
  const rel = relative(ROOT, plan.output);
  mkdirSync(join(STAGE, dirname(rel)), { recursive: true });
  copyFileSync(plan.output, join(STAGE, rel));
  copyFileSync(`${plan.output}.build.json`, join(STAGE, `${rel}.build.json`));
  chmodSync(join(STAGE, rel), 0o755);
  say(`cuda: ${rel} (${mib(statSync(plan.output).size)})`);
}

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(join(STAGE, 'lib'), { recursive: true });

copyFileSync(process.execPath, join(STAGE, 'node'));
chmodSync(join(STAGE, 'node'), 0o755);
say(`node: ${process.version} (${mib(statSync(process.execPath).size)})`);

for (const rel of ['package.json', 'tsconfig.json', 'README.md'])
  copyFileSync(join(ROOT, rel), join(STAGE, rel));
for (const rel of ['bin', 'src', 'shaders', 'scripts']) copyTree(rel);
// native-runner sources; of its outputs only the CUDA harness (copied below): the CPU harness is
// built with -march=native and is rebuilt on the host.
copyTree('native-runner', (r) => r.startsWith('native-runner/build'));
copyNodeModules();
await cudaHarness();

const loader = vulkanLoader();
copyFileSync(loader, join(STAGE, 'lib', 'libvulkan.so.1'));
say(`vulkan loader: ${loader}`);

for (const [name, text] of Object.entries(GPU_HOST_SCRIPTS)) {
  mkdirSync(dirname(join(STAGE, name)), { recursive: true });
  writeFileSync(join(STAGE, name), text);
  chmodSync(join(STAGE, name), name.endsWith('.sh') ? 0o755 : 0o644);
}
writeFileSync(
  join(STAGE, 'BUNDLE.json'),
  JSON.stringify(
    {
      createdAt: new Date().toISOString(),
      node: process.version,
      platform: 'linux-x64',
      version: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
        .version,
    },
    null,
    2,
  ) + '\n',
);

say(`folder: ${relative(ROOT, STAGE)} (${mib(sizeOf(STAGE))})`);
execFileSync('tar', ['-czf', TARBALL, '-C', OUT, 'attnlab-gpu-host'], { stdio: 'inherit' });
const bytes = statSync(TARBALL).size;
say(`tarball: ${relative(ROOT, TARBALL)} (${mib(bytes)})`);
if (bytes > MAX_TARBALL_BYTES) {
  process.stderr.write(
    `the tarball is over ${mib(MAX_TARBALL_BYTES)}: it will not fit a 64 MiB carry\n`,
  );
  process.exitCode = 1;
}
