/**
 * Who may talk to the runner: a bearer token compared in constant time, and an Origin allow-list
 * checked at the WebSocket upgrade (browsers send Origin; CLI tools usually do not).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** A fresh token: 32 random bytes, base64url (43 characters, safe in a query string). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares a presented token with the expected one in constant time. Both are hashed first so
 * that neither the comparison nor an early length check leaks how long the real token is.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** True for host names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // An IPv4-mapped IPv6 loopback address, e.g. ::ffff:127.0.0.1.
  return /^::ffff:127\./.test(h);
}

/** Which browser origins may open a connection. */
export interface OriginPolicy {
  /** Origins allowed besides loopback ones, normalised (`scheme://host[:port]`). */
  readonly extra: ReadonlySet<string>;
  /** True when `*` was given: any origin is allowed. */
  readonly any: boolean;
}

/**
 * Builds the policy from `--allow-origin` values. Loopback origins (http://localhost:*,
 * http://127.0.0.1:*, http://[::1]:*) are always allowed: they can only be pages served from the
 * browser's own machine. Throws naming the bad value when one is not an http(s) origin.
 */
export function originPolicy(allow: readonly string[] = []): OriginPolicy {
  const extra = new Set<string>();
  let any = false;
  for (const raw of allow) {
    if (raw.trim() === '*') {
      any = true;
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw new Error(
        `allowOrigin: "${raw}" is not a URL; give an origin such as https://lab.example.com or *`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`allowOrigin: "${raw}" must be an http:// or https:// origin, or *`);
    }
    extra.add(url.origin);
  }
  return { extra, any };
}

/** Decides whether an upgrade request's Origin header (undefined: none sent) is allowed. */
export function originAllowed(policy: OriginPolicy, origin: string | undefined): boolean {
  // Non-browser clients (the CLI, scripts) send no Origin; browsers always do.
  if (origin === undefined) return true;
  if (policy.any) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopbackHost(url.hostname)) return true;
  return policy.extra.has(url.origin);
}
