/**
 * A user's WGSL kernel made ready for the engine: its descriptor from the header and/or the
 * `like` built-in, its SHA-256 (which names its file, so pipelines of two versions never mix),
 * the engine's sources plus the user's file, and what the result file records.
 */
import type { KernelDescriptor, ShaderSources } from '../../shaders/index.ts';
import {
  KernelHeaderError,
  parseKernelHeader,
  sha256Hex,
  userKernelDescriptor,
} from '../../shaders/user.ts';
import type { UserKernelRecord, UserKernelSpec } from '../model/index.ts';
import { EngineError } from './errors.ts';
import type { CompileMessage } from './pipeline.ts';

/** A user kernel made ready for the engine: its descriptor, sources and result record. */
export interface PreparedUser {
  /** Descriptor from the header and/or the `like` built-in. */
  kernel: KernelDescriptor;
  /** The engine's sources plus the user's file. */
  sources: ShaderSources;
  /** Display names of the user's file in compiler messages (e.g. `my.wgsl`). */
  names: Record<string, string>;
  /** What the result file records. */
  record: UserKernelRecord;
}

/** What the lab's editor gets from a compile: every message at the user's line and column. */
export interface UserCompileOutcome {
  /** Kernel id the header (or the name) gives it. */
  kernel: string | null;
  /** Compiler messages (and header errors) in the user's file, 1-based lines. */
  messages: CompileMessage[];
}

/** A bad `// @attnlab` header: a `compile-error` that knows its line (for the editor). */
export class UserHeaderError extends EngineError {
  constructor(
    /** 1-based line of the user's source. */
    readonly line: number,
    /** The problem, without file and line. */
    readonly detail: string,
    file: string,
  ) {
    super('compile-error', `${file}:${line}: ${detail}`);
  }
}

/**
 * Reads a user kernel's descriptor (header and/or `like`) and hashes its source; a bad header
 * is a `compile-error` naming the file and line, a language other than WGSL is refused.
 */
export async function prepareUserKernel(
  spec: UserKernelSpec,
  sources: ShaderSources,
  backend: string,
): Promise<PreparedUser> {
  if (spec.language !== 'wgsl') {
    throw new EngineError(
      'unsupported',
      `userKernel.language: the ${backend} engine runs WGSL kernels, not ${spec.language}`,
    );
  }
  const hash = await sha256Hex(spec.source);
  let kernel: KernelDescriptor;
  try {
    kernel = userKernelDescriptor(spec, hash);
  } catch (err) {
    if (!(err instanceof KernelHeaderError)) throw err;
    throw new UserHeaderError(err.line, err.detail, `${spec.name ?? 'kernel'}.wgsl`);
  }
  const like = parseKernelHeader(spec.source).like?.value ?? spec.like;
  return {
    kernel,
    sources: { ...sources, [kernel.file]: spec.source },
    names: { [kernel.file]: `${spec.name ?? kernel.id}.wgsl` },
    record: {
      language: 'wgsl',
      sha256: hash,
      source: spec.source,
      ...(like !== undefined ? { like } : {}),
    },
  };
}
