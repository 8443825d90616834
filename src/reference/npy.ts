/**
 * NumPy .npy (format 1.0–3.0) reader and writer for float32/float16 little-endian C-order
 * arrays — enough for anyone to feed their own Q, K, V and check our output in their framework.
 */

/** A decoded .npy array, widened to f32. */
export interface NpyArray {
  /** Element type stored in the file. */
  dtype: 'f32' | 'f16';
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Error in an .npy file; the message names the file and what is wrong. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/** Converts one IEEE half (as a 16-bit integer) to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes an .npy file; `name` is used in error messages. */
export function readNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyError(`${name}: not an .npy file (magic bytes missing)`);
  }
  const major = bytes[6] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${name}: truncated header`);
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new NpyError(`${name}: unsupported .npy format version ${major} (supported: 1, 2, 3)`);
  }
  if (offset + headerLen > bytes.length) throw new NpyError(`${name}: truncated header`);
  const header = new TextDecoder().decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`${name}: malformed header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True')
    throw new NpyError(`${name}: Fortran-order arrays are not supported; save with C order`);
  let dtype: 'f32' | 'f16';
  if (descr === '<f4' || descr === '=f4') dtype = 'f32';
  else if (descr === '<f2' || descr === '=f2') dtype = 'f16';
  else
    throw new NpyError(
      `${name}: dtype ${descr} is not supported (use float32 '<f4' or float16 '<f2')`,
    );
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  // Whole decimal digits only: parseInt would read "8.9" as 8 and "8x" as 8.
  const badDim = dims.find((d) => !/^\d+$/.test(d));
  if (badDim !== undefined)
    throw new NpyError(
      `${name}: bad shape (${shapeText}): dimension "${badDim}" is not a whole number ≥ 0`,
    );
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const itemSize = dtype === 'f32' ? 4 : 2;
  const need = count * itemSize;
  if (bytes.length - dataStart < need) {
    throw new NpyError(
      `${name}: truncated data: shape (${shape.join(', ')}) needs ${need} bytes, file has ${bytes.length - dataStart}`,
    );
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] =
      dtype === 'f32'
        ? view.getFloat32(dataStart + 4 * i, true)
        : halfToFloat(view.getUint16(dataStart + 2 * i, true));
  }
  return { dtype, shape, data };
}

/** Encodes a float32 C-order array as .npy (format 1.0). */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new NpyError(
      `shape (${shape.join(', ')}) has ${count} elements, data has ${data.length}`,
    );
  }
  const shapeText = shape.length === 1 ? `${shape[0] ?? 0},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shapeText}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length + 4 * count);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  new Uint8Array(out.buffer, 10 + headerBytes.length).set(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
  return out;
}
