/**
 * The Kernel view's state: the person's WGSL in the editor, saved in IndexedDB by name, compiled
 * in the engine worker shortly after each edit, checked against f64, and — only after a passing
 * check of this exact text and config — run like any target. A lost GPU device restarts the
 * engine and keeps the text.
 */
import type { AttentionConfig } from '../../model/index.ts';
import { KERNELS } from '../../../shaders/index.ts';
import { copyHeader, parseKernelHeader } from '../../../shaders/user.ts';
import { errorMessageOf } from '../../webgpu/errors.ts';
import type { UserCheckOutcome } from '../../worker/api.ts';
import {
  checkBlocker,
  isDeviceLoss,
  runBlocker,
  type CheckState,
  type CompileState,
} from '../kernel/gate.ts';
import type {
  KernelEngine,
  KernelFile,
  KernelRunState,
  KernelRuns,
  KernelStore,
  WgslKernelSpec,
} from '../kernel/deps.ts';
import {
  builtinIdMessage,
  configKey,
  freeName,
  nameProblem,
  sanitizeName,
} from '../kernel/names.ts';
import { BLANK_TEMPLATE } from '../kernel/template.ts';
import { nowIso } from '../lib/format.ts';
import { BROWSER_ORIGIN, type TargetRef } from '../lib/targets.ts';
import type { KeyValueStore } from '../runners/registry.svelte.ts';
import type { SavedKernel } from '../store/db.ts';

/** localStorage key of the kernel open in the editor (reload opens it again). */
export const OPEN_KERNEL_KEY = 'attnlab.kernel.open';
/** How long the editor waits after the last keystroke before compiling and saving, ms. */
export const COMPILE_DELAY_MS = 400;

/** The Kernel view's state. */
export class KernelState {
  /** Saved kernels, by name. */
  saved: SavedKernel[] = $state.raw([]);
  /** Name of the kernel in the editor (null: none open yet). */
  name: string | null = $state(null);
  /** The editor's text. */
  source = $state('');
  /** The latest compile. */
  compile: CompileState = $state.raw({ state: 'idle' });
  /** The latest check. */
  check: CheckState = $state.raw({ state: 'none' });
  /** The latest run. */
  run: KernelRunState = $state.raw({ state: 'none' });
  /** What happened that the person should know (device lost, a refused import or link). */
  notice: { kind: 'error' | 'info'; text: string } | null = $state.raw(null);
  /** Why the store could not be read or written. */
  storageError: string | null = $state(null);
  /** The built-in the open kernel follows (its `like=`), its parent in comparisons. */
  readonly parent: string | null = $derived(this.#parent());
  /** Why Check is disabled, or null. */
  readonly checkBlocked: string | null = $derived(
    this.name === null ? 'Open or start a kernel first.' : this.#checkBlocker(),
  );
  /** Why Run (and Compare) are refused, or null. */
  readonly runBlocked: string | null = $derived(this.#runBlocker());

  readonly #engine: KernelEngine;
  readonly #store: KernelStore;
  readonly #kv: KeyValueStore | null;
  readonly #config: () => AttentionConfig | null;
  readonly #seed: () => number | null;
  readonly #runs: KernelRuns;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #compileRequest = 0;
  #checks = 0;

  constructor(deps: {
    engine: KernelEngine;
    store: KernelStore;
    kv: KeyValueStore | null;
    config: () => AttentionConfig | null;
    seed: () => number | null;
    runs: KernelRuns;
  }) {
    this.#engine = deps.engine;
    this.#store = deps.store;
    this.#kv = deps.kv;
    this.#config = deps.config;
    this.#seed = deps.seed;
    this.#runs = deps.runs;
  }

  /** The user kernel as the engine gets it. */
  spec(): WgslKernelSpec | null {
    if (this.name === null || this.source === '') return null;
    return { language: 'wgsl', source: this.source, name: this.name };
  }

  /** The open kernel as a run target (its id from the header's `id=`, else its name). */
  target(): TargetRef | null {
    const spec = this.spec();
    if (!spec) return null;
    const kernel = this.compile.state === 'compiled' ? this.compile.kernel : (spec.name ?? '');
    return { origin: BROWSER_ORIGIN, backend: 'webgpu', kernel, userKernel: spec };
  }

  /** Loads the saved kernels and reopens the one open before the reload. */
  async load(): Promise<void> {
    try {
      this.saved = sortByName(await this.#store.allKernels());
    } catch (err) {
      this.storageError = `Saved kernels could not be loaded from IndexedDB: ${errorMessageOf(err)}`;
      return;
    }
    const last = this.#kv?.getItem(OPEN_KERNEL_KEY) ?? null;
    const open = this.saved.find((k) => k.name === last);
    if (open && this.name === null) this.#replace(open.name, open.source);
  }

  /** Opens a saved kernel. */
  open(name: string): void {
    const kernel = this.saved.find((k) => k.name === name);
    if (!kernel) return;
    this.flush();
    this.#replace(kernel.name, kernel.source);
  }

  /** Starts a copy of a built-in kernel (its header says `like=ID`). */
  async editCopy(builtinId: string): Promise<void> {
    const kernel = KERNELS.find((k) => k.id === builtinId);
    if (!kernel) {
      this.notice = { kind: 'error', text: `There is no built-in WebGPU kernel "${builtinId}".` };
      return;
    }
    const { browserShaderSources } = await import('../../../shaders/sources.browser.ts');
    const text = browserShaderSources[kernel.file] ?? '';
    await this.#create(`${builtinId}-edit`, `${copyHeader(builtinId)}\n${text}`);
  }

  /** Starts from the blank template that documents the contract. */
  async startBlank(): Promise<void> {
    await this.#create('my-kernel', BLANK_TEMPLATE);
  }

  /** Opens an imported .wgsl file as a new saved kernel named after it. */
  async importFile(file: KernelFile): Promise<void> {
    if (file.text.trim() === '') {
      this.notice = { kind: 'error', text: `${file.name} is empty; nothing was imported.` };
      return;
    }
    await this.#create(sanitizeName(file.name), file.text);
    this.notice = { kind: 'info', text: `Imported ${file.name} as "${this.name ?? ''}".` };
  }

  /**
   * Opens a kernel from a link or a result file (`from` says which, for the notice): the same
   * text under its name is reused, else it is saved under a new name.
   */
  async openLinked(rawName: string, source: string, from = 'the link'): Promise<void> {
    const name = sanitizeName(rawName);
    const same = this.saved.find((k) => k.name === name && k.source === source);
    if (same) this.#replace(same.name, same.source);
    else await this.#create(name, source);
    this.notice = { kind: 'info', text: `Opened kernel "${this.name ?? name}" from ${from}.` };
  }

  /** The editor's text changed: compile and save after a short pause. */
  edit(text: string): void {
    if (text === this.source) return;
    this.source = text;
    this.#schedule();
  }

  /** Compiles and saves now (e.g. before leaving the kernel). */
  flush(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#commit();
  }

  /** Renames the open kernel; returns why not, or null when done. */
  async rename(to: string): Promise<string | null> {
    const from = this.name;
    if (from === null) return 'No kernel is open.';
    if (to === from) return null;
    const problem = nameProblem(to);
    if (problem !== null) return problem;
    this.flush();
    try {
      await this.#save();
      await this.#store.renameKernel(from, to);
    } catch (err) {
      return `Rename failed: ${errorMessageOf(err)}`;
    }
    this.name = to;
    this.#kv?.setItem(OPEN_KERNEL_KEY, to);
    this.saved = sortByName(this.saved.map((k) => (k.name === from ? { ...k, name: to } : k)));
    void this.compileNow();
    return null;
  }

  /** Deletes a saved kernel; the editor empties when it was the open one. */
  async remove(name: string): Promise<void> {
    try {
      await this.#store.deleteKernel(name);
    } catch (err) {
      this.storageError = `The kernel could not be deleted: ${errorMessageOf(err)}`;
      return;
    }
    this.saved = this.saved.filter((k) => k.name !== name);
    if (this.name === name) {
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      this.name = null;
      this.source = '';
      this.compile = { state: 'idle' };
      this.check = { state: 'none' };
      this.run = { state: 'none' };
    }
  }

  /** Compiles the current text with the Run form's config; stale answers are dropped. */
  async compileNow(config: AttentionConfig | null = this.#config()): Promise<void> {
    const spec = this.spec();
    if (!spec) return;
    const request = ++this.#compileRequest;
    const source = spec.source;
    if (config === null) {
      this.compile = {
        state: 'unavailable',
        source,
        reason: 'The Run form has invalid fields; fix them on the Run tab to compile.',
      };
      return;
    }
    this.compile = { state: 'compiling', source };
    let next: CompileState;
    try {
      const out = await this.#engine.compileUser(spec, config);
      const taken = out.kernel === null ? null : builtinIdMessage(out.kernel, source, 'user');
      const messages = taken ? [...out.messages, taken] : out.messages;
      const errors = messages.filter((m) => m.type === 'error');
      next =
        errors.length > 0 || out.kernel === null
          ? { state: 'errors', source, messages }
          : { state: 'compiled', source, kernel: out.kernel, messages };
    } catch (err) {
      const message = errorMessageOf(err);
      next = { state: 'unavailable', source, reason: message };
      if (isDeviceLoss(message)) await this.#recover('compiling', message);
    }
    if (request === this.#compileRequest) this.compile = next;
  }

  /** Checks the current text against f64 on fresh seeded inputs with the Run form's config. */
  async runCheck(): Promise<void> {
    const spec = this.spec();
    const config = this.#config();
    const seed0 = this.#seed();
    const key = configKey(config);
    if (!spec || config === null || seed0 === null || key === null) return;
    if (this.checkBlocked !== null) return;
    // Fresh inputs on every check: a kernel cannot pass by luck on one fixed draw.
    this.#checks += 1;
    const seed = seed0 + this.#checks;
    const source = spec.source;
    this.check = { state: 'checking', source, configKey: key, seed };
    let out: UserCheckOutcome;
    try {
      out = await this.#engine.checkUser(spec, config, seed);
    } catch (err) {
      out = { ok: false, code: 'internal', message: errorMessageOf(err), deviceLost: false };
    }
    if (out.ok) {
      this.check = { state: 'done', source, configKey: key, seed, correctness: out.correctness };
      return;
    }
    this.check = { state: 'error', source, configKey: key, message: out.message };
    if (out.deviceLost || isDeviceLoss(out.message)) await this.#recover('checking', out.message);
  }

  /** Times the kernel like any target; its result lands in Results. */
  async runKernel(): Promise<void> {
    const target = this.target();
    const config = this.#config();
    if (!target || config === null || this.runBlocked !== null) return;
    const source = this.source;
    this.run = { state: 'running', source };
    try {
      const result = await this.#runs.run(target, config);
      this.run = { state: 'done', source, result };
      const message = result.error?.message ?? '';
      if (result.status === 'failed' && isDeviceLoss(message)) {
        await this.#recover('running', message);
      }
    } catch (err) {
      this.run = { state: 'failed', source, message: errorMessageOf(err) };
      if (isDeviceLoss(errorMessageOf(err))) await this.#recover('running', errorMessageOf(err));
    }
  }

  /** Runs the parent built-in and this kernel interleaved (A/B) and opens Compare. */
  async compareWithParent(): Promise<void> {
    const target = this.target();
    const config = this.#config();
    const parent = this.parent;
    if (!target || config === null || parent === null || this.runBlocked !== null) return;
    await this.#runs.compare(
      { origin: BROWSER_ORIGIN, backend: 'webgpu', kernel: parent },
      target,
      config,
    );
  }

  async #create(base: string, source: string): Promise<void> {
    this.flush();
    const name = freeName(
      sanitizeName(base),
      this.saved.map((k) => k.name),
    );
    this.#replace(name, source);
    await this.#save();
  }

  #replace(name: string, source: string): void {
    this.name = name;
    this.source = source;
    this.check = { state: 'none' };
    this.run = { state: 'none' };
    this.compile = { state: 'idle' };
    this.#kv?.setItem(OPEN_KERNEL_KEY, name);
    void this.compileNow();
  }

  #schedule(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#commit();
    }, COMPILE_DELAY_MS);
  }

  /** The pause after an edit is over (or cut short): save and compile the text. */
  #commit(): void {
    this.#timer = null;
    void this.#save();
    void this.compileNow();
  }

  async #save(): Promise<void> {
    const name = this.name;
    if (name === null) return;
    const kernel: SavedKernel = {
      name,
      source: this.source,
      updatedAt: nowIso(),
    };
    try {
      await this.#store.putKernel(kernel);
      this.storageError = null;
    } catch (err) {
      this.storageError = `The kernel could not be saved in IndexedDB: ${errorMessageOf(err)}`;
      return;
    }
    this.saved = sortByName([...this.saved.filter((k) => k.name !== name), kernel]);
  }

  /** After a lost device: restart the engine, keep the text, say what happened. */
  async #recover(what: string, message: string): Promise<void> {
    const lost = `The GPU device was lost while ${what} this kernel (${message}). A shader that loops for too long or hangs the GPU does this.`;
    this.notice = {
      kind: 'error',
      text: `${lost} The WebGPU engine is restarting; your text is kept.`,
    };
    await this.#engine.init();
    const status = this.#engine.status;
    this.notice = {
      kind: 'error',
      text:
        status.state === 'ready'
          ? `${lost} The WebGPU engine was restarted; your text is kept.`
          : `${lost} WebGPU did not come back (${status.state === 'unavailable' ? status.reason : 'still starting'}); your text is kept. Reload the page to try again.`,
    };
  }

  #checkBlocker(): string | null {
    if (this.#engine.status.state !== 'ready') {
      return this.#engine.status.state === 'starting'
        ? 'WebGPU is starting…'
        : `WebGPU is unavailable: ${this.#engine.status.reason}`;
    }
    return checkBlocker(this.compile, this.check, this.source);
  }

  #runBlocker(): string | null {
    if (this.name === null) return 'Open or start a kernel first.';
    if (this.run.state === 'running') return 'Running…';
    return runBlocker(this.compile, this.check, this.source, configKey(this.#config()));
  }

  #parent(): string | null {
    try {
      const like = parseKernelHeader(this.source).like?.value;
      return like !== undefined && KERNELS.some((k) => k.id === like) ? like : null;
    } catch {
      return null; // a bad header shows as a compile error; no parent until it is fixed
    }
  }
}

function sortByName(kernels: SavedKernel[]): SavedKernel[] {
  return [...kernels].sort((a, b) => a.name.localeCompare(b.name));
}
