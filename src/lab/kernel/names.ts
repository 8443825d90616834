/**
 * Names of the person's kernels: they are the kernel id in results, so they follow the result
 * id rules and never take a built-in's id (a result must not be mistaken for the built-in's).
 */
import type { AttentionConfig } from '../../model/index.ts';
import { KERNELS } from '../../../shaders/index.ts';

const NAME = /^[A-Za-z0-9][\w.-]{0,47}$/;
const BUILTIN_IDS: readonly string[] = KERNELS.map((k) => k.id);

/** A name for a file stem or a link's name: kept when valid, else made valid. */
export function sanitizeName(raw: string): string {
  const cleaned = raw
    .replace(/\.wgsl$/i, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 40);
  return cleaned === '' ? 'kernel' : cleaned;
}

/** Why a name cannot be used, or null. */
export function nameProblem(name: string): string | null {
  if (!NAME.test(name)) {
    return 'Name: letters, digits, ".", "_" or "-", at most 48 characters, starting with a letter or digit.';
  }
  if (BUILTIN_IDS.includes(name)) {
    return `Name: "${name}" is a built-in kernel's id; results would not tell them apart. Pick another.`;
  }
  return null;
}

/**
 * An error at the header line when the kernel's id (a header's `id=`) is a built-in's id: its
 * results would carry that id and be taken for the built-in's. Null when the id is free.
 */
export function builtinIdMessage(
  kernelId: string,
  source: string,
  file: string,
): { type: 'error'; file: string; line: number; column: number; message: string } | null {
  if (!BUILTIN_IDS.includes(kernelId)) return null;
  const lines = source.split('\n');
  const at = lines.findIndex((l) => /^\s*\/\/\s*@attnlab\b.*\bid=/.test(l));
  const column = at >= 0 ? (lines[at] ?? '').indexOf('id=') + 1 : 1;
  return {
    type: 'error',
    file,
    line: at >= 0 ? at + 1 : 1,
    column,
    message: `@attnlab id=${kernelId} is a built-in kernel's id: results would not tell them apart. Choose another id, or remove id= to use the kernel's name.`,
  };
}

/** `base`, or `base-2`, `base-3`, … — the first one not in `taken`. */
export function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) {
    const name = `${base}-${i}`;
    if (!taken.includes(name)) return name;
  }
}

/** Stable key of a config, to tell whether a check was made with the config of a run. */
export function configKey(config: AttentionConfig | null): string | null {
  return config === null ? null : JSON.stringify(config, Object.keys(config).sort());
}

/** A name free of `taken` and of the built-ins' ids. */
export function freeName(base: string, taken: readonly string[]): string {
  return uniqueName(base, [...BUILTIN_IDS, ...taken]);
}
