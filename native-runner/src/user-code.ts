/** What a native result file records of a user kernel: its source and SHA-256, or its callable. */
import { createHash } from 'node:crypto';
import type { UserKernelRecord, UserKernelSpec } from '../../src/model/index.ts';

/** The `target.userKernel` record of a request's user kernel (result@1.2). */
export function userKernelRecord(spec: UserKernelSpec): UserKernelRecord {
  if (spec.language === 'python') return { language: 'python', callable: spec.callable };
  const sha256 = createHash('sha256').update(spec.source, 'utf8').digest('hex');
  return {
    language: spec.language,
    sha256,
    source: spec.source,
    ...(spec.language === 'wgsl' && spec.like !== undefined ? { like: spec.like } : {}),
  };
}
