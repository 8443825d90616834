/** Interleaved A/B runs stay on the GPU the runner picked for the first run on that runner. */
import { expect, it } from 'vitest';
import { readResult } from '../../model/index.ts';
import { exampleResult } from '../../model/example.ts';
import { DevicePin } from './device-pin.ts';

it('pins later runs on a runner to the first run’s GPU, only for backends listing it', () => {
  const pin = new DevicePin();
  const a = { origin: 'ws://box:9000', backend: 'cuda', kernel: 'flash' };
  const b = { origin: 'ws://box:9000', backend: 'sdpa', kernel: 'math' };
  const cpu = { origin: 'ws://box:9000', backend: 'cpu', kernel: 'naive' };
  expect(pin.deviceFor(a, [0, 1, 2])).toBeUndefined();
  const base = readResult(exampleResult([1.25, 1.5, 1.75]));
  const onGpu2 = { ...base, env: { ...base.env, gpu: { name: 'H100', index: 2 } } };
  pin.saw(a, onGpu2);
  expect(pin.deviceFor(b, [0, 1, 2])).toBe(2);
  expect(pin.deviceFor(a, [0, 1, 2])).toBe(2);
  // A later result on another GPU does not move the pin.
  pin.saw(b, { ...onGpu2, env: { ...onGpu2.env, gpu: { name: 'H100', index: 0 } } });
  expect(pin.deviceFor(b, [0, 1, 2])).toBe(2);
  // The cpu backend lists no GPU: its runs are not pinned (the runner would refuse a device).
  expect(pin.deviceFor(cpu, [])).toBeUndefined();
  // Another runner is not pinned by this one.
  expect(pin.deviceFor({ ...a, origin: 'ws://other:9000' }, [0, 1, 2])).toBeUndefined();
});
