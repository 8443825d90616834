/**
 * `npm run build:native`: builds the CPU harness (g++) and, when nvcc exists, the CUDA harness
 * for sm_80, sm_89 and sm_90 (override with ATTNLAB_CUDA_ARCHS="90 100"). Prints what it did and
 * exits non-zero when a build fails.
 */
import { DEFAULT_CUDA_ARCHS, findGxx, findNvcc, isFresh, planBuild, runBuild } from './build.ts';
import type { BuildPlan } from './build.ts';

async function buildOne(plan: BuildPlan): Promise<boolean> {
  if (isFresh(plan)) {
    process.stdout.write(`${plan.target}: up to date (${plan.output})\n`);
    return true;
  }
  process.stdout.write(
    `${plan.target}: ${plan.link.command} ${plan.flags} (${Math.max(plan.compile.length, 1)} unit(s))\n`,
  );
  const t0 = performance.now();
  try {
    await runBuild(plan, (text) => process.stderr.write(text));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return false;
  }
  process.stdout.write(
    `${plan.target}: built ${plan.output} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return true;
}

const archs = process.env.ATTNLAB_CUDA_ARCHS?.split(/[\s,]+/).filter((a) => a !== '') ?? [
  ...DEFAULT_CUDA_ARCHS,
];
let ok = true;
if (findGxx()) ok = (await buildOne(planBuild('cpu'))) && ok;
else process.stdout.write('cpu: skipped (no g++ on PATH; set CXX)\n');
if (findNvcc()) ok = (await buildOne(planBuild('cuda', { archs }))) && ok;
else
  process.stdout.write(
    'cuda: skipped (nvcc not found on PATH, $CUDA_HOME/bin or /usr/local/cuda/bin)\n',
  );
process.exitCode = ok ? 0 : 1;
