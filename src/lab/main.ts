/**
 * The lab's entry: builds the state (stats worker, IndexedDB history, localStorage), mounts the
 * app, then starts WebGPU and the runners. A failure here still ends on a readable page.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/base.css';
import './styles/components.css';
import { Lab } from './state/lab.svelte.ts';
import { createStatsClient } from './stats/client.ts';
import { HistoryStore } from './store/db.ts';

function showFatal(target: HTMLElement, err: unknown): void {
  const box = document.createElement('div');
  box.className = 'error';
  box.setAttribute('role', 'alert');
  box.style.margin = '2rem';
  const title = document.createElement('strong');
  title.textContent = 'attnlab could not start';
  const text = document.createElement('p');
  text.textContent = err instanceof Error ? err.message : String(err);
  box.append(title, text);
  target.replaceChildren(box);
}

const target = document.getElementById('app');
if (!target) throw new Error('attnlab: #app element missing from index.html');

try {
  let kv: Storage | null = null;
  try {
    kv = window.localStorage;
  } catch {
    kv = null;
  }
  const lab = new Lab({ stats: createStatsClient(), store: new HistoryStore(), kv });
  lab.theme.watchSystem();
  mount(App, { target, props: { lab } });
  const url = import.meta.env.VITE_ATTNLAB_RUNNER_URL;
  const token = import.meta.env.VITE_ATTNLAB_RUNNER_TOKEN ?? '';
  const hash = window.location.hash;
  // A kernel link is read once: the kernel is saved in this browser, so the fragment goes.
  if (hash.startsWith('#kernel=')) {
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  }
  void lab.start({
    search: window.location.search,
    hash,
    localRunner: url ? { url, token } : null,
  });
  window.addEventListener('pagehide', () => {
    lab.runners.closeAll();
  });
} catch (err) {
  showFatal(target, err);
}
