import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from './db.ts';

let counter = 0;
const freshName = (): string => `attnlab-test-${++counter}`;

describe('HistoryStore kernels', () => {
  it('upgrades a version-1 database and keeps its results and sweeps', async () => {
    const name = freshName();
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const results = db.createObjectStore('results', { keyPath: 'id' });
        results.createIndex('createdAt', 'createdAt');
        db.createObjectStore('sweeps', { keyPath: 'id' });
      },
    });
    await v1.put('results', { id: 'r1', createdAt: '2026-01-01T00:00:00Z' });
    await v1.put('sweeps', { id: 's1', createdAt: '2026-01-01T00:00:00Z' });
    v1.close();
    const store = new HistoryStore(name);
    expect((await store.allResults()).map((r) => r.id)).toEqual(['r1']);
    expect((await store.allSweeps()).map((s) => s.id)).toEqual(['s1']);
    expect(await store.allKernels()).toEqual([]);
  });

  it('saves, replaces, renames and deletes kernels by name', async () => {
    const store = new HistoryStore(freshName());
    await store.putKernel({ name: 'a', source: 'one', updatedAt: 't1' });
    await store.putKernel({ name: 'b', source: 'two', updatedAt: 't1' });
    await store.putKernel({ name: 'a', source: 'three', updatedAt: 't2' });
    expect((await store.allKernels()).map((k) => [k.name, k.source])).toEqual([
      ['a', 'three'],
      ['b', 'two'],
    ]);
    await expect(store.renameKernel('a', 'b')).rejects.toThrow(
      'a kernel named "b" is already saved',
    );
    await expect(store.renameKernel('zz', 'c')).rejects.toThrow('no kernel named "zz" is saved');
    await store.renameKernel('a', 'c');
    expect((await store.allKernels()).map((k) => [k.name, k.source])).toEqual([
      ['b', 'two'],
      ['c', 'three'],
    ]);
    await store.deleteKernel('b');
    expect((await store.allKernels()).map((k) => k.name)).toEqual(['c']);
    await store.clear();
    expect((await store.allKernels()).map((k) => k.name)).toEqual(['c']);
  });
});
