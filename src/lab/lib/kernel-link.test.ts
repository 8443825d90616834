import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../stats/index.ts';
import { decodeKernelLink, encodeKernelLink } from './kernel-link.ts';

const BASE = 'http://localhost:5173/?tab=kernel';
const flash = readFileSync(
  new URL('../../../shaders/flash-f32/flash_f32.wgsl', import.meta.url),
  'utf8',
);

describe('kernel links', () => {
  it('round-trip a built-in copy through the fragment, compressed well under the limit', async () => {
    const link = await encodeKernelLink(BASE, 'my flash', flash);
    expect(link.ok).toBe(true);
    if (!link.ok) return;
    expect(link.url.startsWith(`${BASE}#kernel=my%20flash.`)).toBe(true);
    // deflate-raw + base64url: the 4 KB kernel travels in under 60% of its size.
    expect(link.url.length).toBeLessThan(flash.length * 0.6);
    const back = await decodeKernelLink(new URL(link.url).hash);
    expect(back).toEqual({ name: 'my flash', source: flash });
  });

  it('refuses past the limit with the numbers and offers export', async () => {
    // Seeded random text does not compress: it must be refused, not truncated.
    const rng = createRng(7);
    const noise = Array.from({ length: 12_000 }, () =>
      String.fromCharCode(33 + Math.floor(rng.next() * 90)),
    ).join('');
    const link = await encodeKernelLink(BASE, 'noise', noise);
    expect(link.ok).toBe(false);
    if (link.ok) return;
    expect(link.reason).toMatch(
      /^this kernel makes a \d+-character link \(compressed\); links over 8000 characters/,
    );
    expect(link.reason).toMatch(/Export the \.wgsl file/);
  });

  it('ignores other fragments and says so when a link is damaged', async () => {
    expect(await decodeKernelLink('#section-2')).toBeNull();
    expect(await decodeKernelLink('')).toBeNull();
    await expect(decodeKernelLink('#kernel=x.AAAA$')).rejects.toThrow(/the kernel link is damaged/);
    const link = await encodeKernelLink(BASE, 'x', flash);
    if (!link.ok) throw new Error(link.reason);
    const cut = link.url.slice(link.url.indexOf('#'), link.url.length - 600);
    await expect(decodeKernelLink(cut)).rejects.toThrow(/the kernel link is damaged/);
  });
});
