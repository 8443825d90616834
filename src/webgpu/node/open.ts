/** Opens a Dawn engine in Node (SwiftShader where there is no GPU). */
import { loadNodeShaderSources } from '../../../shaders/sources.node.ts';
import { AttentionEngine } from '../engine.ts';
import type { EngineHost } from '../engine.ts';
import { findDawnAdapter } from './gpu.ts';
import { dawnRuntime } from './host.ts';
import { hostEnv, toolInfo } from '../../node/host.ts';

/** A fresh engine on the Dawn adapter; tests override host fields (e.g. broken sources). */
export async function openNodeEngine(over: Partial<EngineHost> = {}): Promise<AttentionEngine> {
  const [{ adapter, via }, sources] = await Promise.all([
    findDawnAdapter(),
    loadNodeShaderSources(),
  ]);
  return AttentionEngine.open(adapter, {
    backend: 'dawn',
    runtime: dawnRuntime(via),
    sources,
    tool: toolInfo(),
    host: hostEnv(),
    ...over,
  });
}
