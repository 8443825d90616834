/**
 * The GPUs of this host: discovered with nvidia-smi (index, UUID, name, memory, PCI bus id),
 * narrowed by `--devices`, and turned into what pins a harness to one of them
 * (CUDA_VISIBLE_DEVICES for cuda and sdpa, the adapter choice for dawn).
 */
import type { DeviceInfo, DeviceRef } from '../../src/model/index.ts';
import { probe } from './backends/host.ts';

/** The nvidia-smi query: one CSV line per GPU, no header, memory in MiB. */
export const NVIDIA_SMI_QUERY = [
  '--query-gpu=index,uuid,name,memory.total,pci.bus_id',
  '--format=csv,noheader,nounits',
];

/** Parses the CSV nvidia-smi prints for `NVIDIA_SMI_QUERY`; skips lines it cannot read. */
export function parseNvidiaSmi(csv: string): DeviceInfo[] {
  const devices: DeviceInfo[] = [];
  for (const line of csv.split('\n')) {
    // Names never contain commas in nvidia-smi output; the five fields are comma-separated.
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 5) continue;
    const [index, uuid, name, mib, bus] = fields as [string, string, string, string, string];
    if (!/^\d+$/.test(index) || uuid === '' || name === '') continue;
    const memory = /^\d+(\.\d+)?$/.test(mib) ? Number(mib) * 1024 * 1024 : null;
    devices.push({ index: Number(index), uuid, name, memoryBytes: memory, pciBusId: bus });
  }
  return devices.sort((a, b) => a.index - b.index);
}

/** Every NVIDIA GPU of this host (empty when nvidia-smi is missing or fails). */
export async function discoverGpus(
  run: (command: string, args: readonly string[]) => Promise<string | null> = async (c, a) => {
    const out = await probe(c, a, 20_000);
    return out.ok ? out.stdout : null;
  },
): Promise<DeviceInfo[]> {
  const out = await run('nvidia-smi', NVIDIA_SMI_QUERY);
  return out === null ? [] : parseNvidiaSmi(out);
}

/** Finds a GPU by index or UUID; undefined when this host has none such. */
export function findDevice(devices: readonly DeviceInfo[], ref: DeviceRef): DeviceInfo | undefined {
  return typeof ref === 'number'
    ? devices.find((d) => d.index === ref)
    : devices.find((d) => d.uuid === ref);
}

/**
 * Narrows the discovered GPUs to a `--devices` list (`0,1`, UUIDs, or `all`). Throws
 * `devices: …` naming the entry that is not a GPU of this host.
 */
export function selectDevices(all: readonly DeviceInfo[], spec: string): DeviceInfo[] {
  const text = spec.trim();
  if (text === '' || text === 'all') return [...all];
  const chosen: DeviceInfo[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const ref: DeviceRef = /^\d+$/.test(part) ? Number(part) : part;
    const device = findDevice(all, ref);
    if (!device) {
      const have = all.map((d) => String(d.index)).join(', ') || 'none';
      throw new Error(
        `devices: "${part}" is not a GPU of this host (GPU indices here: ${have}; or give UUIDs, or all)`,
      );
    }
    if (!chosen.includes(device)) chosen.push(device);
  }
  return chosen;
}

/**
 * Environment that pins a harness to `device`: CUDA sees only that GPU (by UUID, which does not
 * depend on CUDA_DEVICE_ORDER), and the Dawn harness picks the adapter with that PCI bus id.
 */
export function pinningEnv(device: DeviceInfo): Record<string, string> {
  return {
    CUDA_VISIBLE_DEVICES: device.uuid,
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    ATTNLAB_GPU_INDEX: String(device.index),
    ATTNLAB_GPU_UUID: device.uuid,
    ATTNLAB_GPU_PCI_BUS_ID: device.pciBusId,
  };
}

/**
 * Resolves a `--device` value (index or UUID) against this host's GPUs. Throws naming the flag
 * and the GPUs there are.
 */
export async function resolveDevice(
  text: string,
  gpus?: readonly DeviceInfo[],
): Promise<DeviceInfo> {
  const all = gpus ?? (await discoverGpus());
  if (all.length === 0) {
    throw new Error(`--device: nvidia-smi lists no GPU on this host (got "${text}")`);
  }
  try {
    const [device] = selectDevices(all, text);
    if (device === undefined || text.includes(',')) throw new Error('one GPU');
    return device;
  } catch {
    const have = all.map((d) => `${d.index} (${d.uuid})`).join(', ');
    throw new Error(
      `--device: expected one GPU index or UUID of this host (${have}), got "${text}"`,
    );
  }
}

/** The result of a run pinned to `device`, its env recording which GPU ran it. */
export function recordDevice<T extends { env: { gpu?: object & { name: string } } }>(
  result: T,
  device: DeviceInfo,
): T {
  const gpu = {
    ...(result.env.gpu ?? { name: device.name }),
    index: device.index,
    uuid: device.uuid,
    pciBusId: device.pciBusId,
  };
  return { ...result, env: { ...result.env, gpu } };
}
