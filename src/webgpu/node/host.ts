/** The Dawn runtime string of the engine's Node host (tool and host facts: src/node/host.ts). */
import { dawnVersion } from './gpu.ts';

/** Runtime string recorded in env.adapter.runtime. */
export function dawnRuntime(via: 'system' | 'swiftshader'): string {
  return `node-dawn ${dawnVersion()} (node ${process.version}${via === 'swiftshader' ? ', SwiftShader found by attnlab' : ''})`;
}
