/** How every browser test and benchmark launches Debian's Chromium with WebGPU on SwiftShader. */

/** Debian's Chromium (Playwright's own browser download is not available here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Chromium flags for WebGPU on SwiftShader in a headless container. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
