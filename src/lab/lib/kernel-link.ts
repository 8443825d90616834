/**
 * A user kernel in a link: the WGSL compressed with CompressionStream('deflate-raw') and written
 * base64url into the URL fragment (`#kernel=NAME.DATA`), so the source never reaches a server's
 * logs. Past a length that chat apps, mail and proxies keep intact the link is refused with the
 * numbers, and the person is pointed to exporting the .wgsl file instead.
 */

/** Longest link this lab makes, characters (the whole URL, origin and path included). */
export const MAX_KERNEL_URL_LENGTH = 8000;

/** Fragment key of a kernel link. */
export const KERNEL_FRAGMENT_KEY = 'kernel';

/** A kernel link, or why there is none. */
export type KernelLink = { ok: true; url: string } | { ok: false; reason: string };

async function pipe(bytes: Uint8Array, stream: GenericTransformStream): Promise<Uint8Array> {
  const body = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[\w-]*$/.test(text)) throw new Error('the link is damaged (not base64url)');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The link to `base` (origin + path + query) that opens this kernel, or the refusal. */
export async function encodeKernelLink(
  base: string,
  name: string,
  source: string,
  limit = MAX_KERNEL_URL_LENGTH,
): Promise<KernelLink> {
  const packed = await pipe(new TextEncoder().encode(source), new CompressionStream('deflate-raw'));
  const url = `${base}#${KERNEL_FRAGMENT_KEY}=${encodeURIComponent(name)}.${toBase64Url(packed)}`;
  if (url.length > limit) {
    return {
      ok: false,
      reason: `this kernel makes a ${url.length}-character link (compressed); links over ${limit} characters are cut by chat apps, mail and proxies. Export the .wgsl file and share that instead.`,
    };
  }
  return { ok: true, url };
}

/**
 * Reads a kernel from a URL fragment (`#kernel=NAME.DATA`); null when the fragment carries
 * none. A damaged link throws an Error that says so.
 */
export async function decodeKernelLink(
  hash: string,
): Promise<{ name: string; source: string } | null> {
  const m = new RegExp(`^#?${KERNEL_FRAGMENT_KEY}=([^.]*)\\.(.*)$`).exec(hash);
  if (!m) return null;
  const name = decodeURIComponent(m[1] ?? '');
  let bytes: Uint8Array;
  try {
    bytes = await pipe(fromBase64Url(m[2] ?? ''), new DecompressionStream('deflate-raw'));
  } catch (err) {
    throw new Error(
      `the kernel link is damaged and cannot be opened (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  return { name, source: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
}
