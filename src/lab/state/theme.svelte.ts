/**
 * Light/dark theme: follows the system (prefers-color-scheme) until the person picks one; the
 * choice is remembered. Charts get the matching palette.
 */
import { DARK_PALETTE, LIGHT_PALETTE, type Palette } from '../charts/palette.ts';
import type { KeyValueStore } from '../runners/registry.svelte.ts';

const KEY = 'attnlab.theme';

/** The person's choice. */
export type ThemeMode = 'system' | 'light' | 'dark';

/** Theme state. */
export class Theme {
  /** The person's choice. */
  mode: ThemeMode = $state('system');
  /** Whether the system prefers dark. */
  systemDark = $state(false);
  /** The theme in effect. */
  readonly resolved: 'light' | 'dark' = $derived(
    this.mode === 'system' ? (this.systemDark ? 'dark' : 'light') : this.mode,
  );
  /** Chart palette of the theme in effect. */
  readonly palette: Palette = $derived(this.resolved === 'dark' ? DARK_PALETTE : LIGHT_PALETTE);

  readonly #store: KeyValueStore | null;

  constructor(store: KeyValueStore | null) {
    this.#store = store;
    const saved = store?.getItem(KEY);
    if (saved === 'light' || saved === 'dark' || saved === 'system') this.mode = saved;
  }

  /** Follows the system preference (call once on the page). */
  watchSystem(): void {
    if (typeof matchMedia === 'undefined') return;
    const query = matchMedia('(prefers-color-scheme: dark)');
    this.systemDark = query.matches;
    query.addEventListener('change', (e) => {
      this.systemDark = e.matches;
    });
  }

  /** Cycles system → light → dark → system. */
  cycle(): void {
    this.set(this.mode === 'system' ? 'light' : this.mode === 'light' ? 'dark' : 'system');
  }

  /** Sets and remembers the mode. */
  set(mode: ThemeMode): void {
    this.mode = mode;
    this.#store?.setItem(KEY, mode);
  }
}
