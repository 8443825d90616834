/**
 * Every target the lab can run, grouped by engine: the browser's WebGPU kernels and each
 * connected runner's backends and kernels — unavailable ones included, with the reason.
 */
import { SOFTWARE_WEBGPU_LABEL, isSoftwareEnv, isSoftwareIdentity } from '../../model/index.ts';
import type { AttentionConfig, Env } from '../../model/index.ts';
import type { BrowserEngine } from '../engine/engine.svelte.ts';
import type { RunnerRegistry } from '../runners/registry.svelte.ts';
import { asSentence, deviceFit, kernelFits } from '../lib/formcheck.ts';
import { BROWSER_ORIGIN, runnerHost, targetKey, type TargetRef } from '../lib/targets.ts';

/** One selectable target. */
export interface TargetOption {
  /** What it is. */
  ref: TargetRef;
  /** `targetKey(ref)`. */
  key: string;
  /** Kernel id plus backend, for the picker. */
  name: string;
  /** The kernel's one-line description. */
  description: string;
  /** Why it cannot run now (engine, backend, kernel or config), or null when it can. */
  unavailable: string | null;
  /** The device fingerprint behind it, for memory checks and ceilings. */
  env: Env | null;
  /** True when it runs on a software (CPU-emulated) WebGPU adapter. */
  software?: boolean;
}

/** A group of targets: one engine. */
export interface TargetGroup {
  /** Unique key: `browser` or the runner URL. */
  key: string;
  /** Heading, e.g. `This browser (WebGPU)` or `Runner 127.0.0.1:9000`. */
  title: string;
  /** Why the whole group is unavailable (no WebGPU, runner unreachable), or null. */
  problem: string | null;
  /** Its targets. */
  options: TargetOption[];
}

/** Derives the target groups from the engine, the runners and the current config. */
export class TargetCatalog {
  /** The groups. */
  readonly groups: TargetGroup[] = $derived(this.#build());
  /** Every option, flat. */
  readonly options: TargetOption[] = $derived(this.groups.flatMap((g) => g.options));

  readonly #engine: BrowserEngine;
  readonly #runners: RunnerRegistry;
  readonly #config: () => AttentionConfig | null;

  /** `config` gives the config availability is judged against (null while the form is invalid). */
  constructor(
    engine: BrowserEngine,
    runners: RunnerRegistry,
    config: () => AttentionConfig | null,
  ) {
    this.#engine = engine;
    this.#runners = runners;
    this.#config = config;
  }

  /** The option for a key, if any engine currently offers it. */
  find(key: string): TargetOption | undefined {
    return this.options.find((o) => o.key === key);
  }

  #judge(option: Omit<TargetOption, 'unavailable'>, base: string | null): TargetOption {
    const config = this.#config();
    let unavailable = base;
    if (unavailable === null && config !== null) {
      unavailable = deviceFit(config, option.ref.backend, option.env);
    }
    return { ...option, unavailable };
  }

  #build(): TargetGroup[] {
    const config = this.#config();
    const groups: TargetGroup[] = [];
    const status = this.#engine.status;
    const software = status.state === 'ready' && isSoftwareEnv(status.env);
    const browser: TargetGroup = {
      key: BROWSER_ORIGIN,
      title: `This browser (${software ? SOFTWARE_WEBGPU_LABEL : 'WebGPU'})`,
      problem:
        status.state === 'starting'
          ? 'starting WebGPU…'
          : status.state === 'unavailable'
            ? `${status.reason} ${status.help}`
            : null,
      options: [],
    };
    if (status.state === 'ready') {
      for (const k of status.kernels) {
        const ref = { origin: BROWSER_ORIGIN, backend: 'webgpu', kernel: k.id };
        const fits = config
          ? kernelFits(k, config)
          : k.available
            ? null
            : (k.reason ?? 'unavailable');
        browser.options.push(
          this.#judge(
            {
              ref,
              key: targetKey(ref),
              name: k.id,
              description: k.description,
              env: status.env,
              software,
            },
            fits,
          ),
        );
      }
    }
    groups.push(browser);
    for (const conn of this.#runners.connections) {
      const s = conn.status;
      const problem =
        s.state === 'ready'
          ? null
          : s.state === 'refused'
            ? s.reason
            : s.state === 'waiting'
              ? `${s.reason}; retrying in ${Math.ceil(s.retryInMs / 1000)} s`
              : s.state === 'closed'
                ? 'disconnected'
                : 'connecting…';
      const group: TargetGroup = {
        key: conn.url,
        title: `Runner ${runnerHost(conn.url)}`,
        problem,
        options: [],
      };
      for (const b of conn.backends) {
        if (!b.available || b.kernels.length === 0) {
          // One line per unavailable backend: its reason once, its kernels named.
          const ref = { origin: conn.url, backend: b.id, kernel: b.kernels[0]?.id ?? '-' };
          const kernels = b.kernels.map((k) => k.id).join(', ');
          group.options.push({
            ref,
            key: targetKey(ref),
            name: kernels === '' ? b.id : `${b.id} (${kernels})`,
            description: b.device ?? '',
            unavailable: asSentence(b.available ? 'no kernels' : (b.reason ?? 'no reason given')),
            env: null,
          });
          continue;
        }
        // Dawn is WebGPU too: its device name tells a CPU emulation (SwiftShader) apart.
        const dawnSoftware =
          b.id === 'dawn' &&
          isSoftwareIdentity({
            vendor: '',
            architecture: '',
            device: b.device ?? '',
            description: '',
          });
        for (const k of b.kernels) {
          const ref = { origin: conn.url, backend: b.id, kernel: k.id };
          const base = problem ?? (config ? kernelFits(k, config) : null);
          group.options.push(
            this.#judge(
              {
                ref,
                key: targetKey(ref),
                name: `${b.id} · ${k.id}`,
                description: k.description,
                env: conn.env,
                software: dawnSoftware,
              },
              base,
            ),
          );
        }
      }
      groups.push(group);
    }
    return groups;
  }
}
