import { describe, expect, it } from 'vitest';
import { randomTensor } from './inputs.ts';
import { NpyError, readNpy, writeNpy } from './npy.ts';

/** Builds an .npy file by hand (format 1.0), the way numpy.save lays it out. */
function npyBytes(
  descr: string,
  shape: string,
  data: Uint8Array,
  version = 1,
  fortran = false,
): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const pre = version === 1 ? 10 : 12;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

describe('npy round trip', () => {
  it('writes and reads back a [B,H,S,D] float32 array bit for bit', () => {
    const data = randomTensor(2 * 3 * 7 * 8, 42, 1, 'normal');
    const bytes = writeNpy(data, [2, 3, 7, 8]);
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0); // header padded to 64
    const back = readNpy(bytes, 'q.npy');
    expect(back.dtype).toBe('f32');
    expect(back.shape).toEqual([2, 3, 7, 8]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('reads float16 files (format 2.0 too) and widens them exactly', () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x8000]);
    const expected = [1, -2, 0.333251953125, 2 ** -24, 65504, -0];
    for (const version of [1, 2]) {
      const arr = readNpy(
        npyBytes('<f2', '(1, 1, 2, 3)', new Uint8Array(halves.buffer), version),
        'k.npy',
      );
      expect(arr.dtype).toBe('f16');
      expect(arr.shape).toEqual([1, 1, 2, 3]);
      expect(Array.from(arr.data)).toEqual(expected);
    }
  });

  it('writes a 1-D shape with the trailing comma numpy expects', () => {
    const bytes = writeNpy(new Float32Array([1.5, -2.25]), [2]);
    expect(new TextDecoder().decode(bytes.subarray(10, 70))).toContain("'shape': (2,)");
    expect(Array.from(readNpy(bytes).data)).toEqual([1.5, -2.25]);
  });
});

describe('npy errors', () => {
  const payload = new Uint8Array(new Float32Array([0.5, -1.5, 2.5, 3.5]).buffer);

  it('rejects a shape dimension that is not a whole number (parseInt read "8.9" as 8)', () => {
    expect(() => readNpy(npyBytes('<f4', '(2, 8.9)', payload), 'q.npy')).toThrow(
      'q.npy: bad shape (2, 8.9): dimension "8.9" is not a whole number ≥ 0',
    );
    expect(() => readNpy(npyBytes('<f4', '(2x, 2)', payload), 'q.npy')).toThrow(/"2x"/);
  });

  it('rejects truncated data with the sizes', () => {
    const bytes = npyBytes('<f4', '(2, 2)', payload).subarray(0, 128 + 10);
    expect(() => readNpy(bytes, 'v.npy')).toThrow(
      'v.npy: truncated data: shape (2, 2) needs 16 bytes, file has 10',
    );
  });

  it('rejects a truncated header and a file that is not .npy', () => {
    expect(() => readNpy(npyBytes('<f4', '(2, 2)', payload).subarray(0, 40), 'q.npy')).toThrow(
      'q.npy: truncated header',
    );
    expect(() => readNpy(new TextEncoder().encode('hello, not numpy'), 'q.npy')).toThrow(
      'q.npy: not an .npy file (magic bytes missing)',
    );
  });

  it('rejects unsupported dtypes naming the allowed ones', () => {
    expect(() => readNpy(npyBytes('<f8', '(2,)', payload), 'q.npy')).toThrow(
      "q.npy: dtype <f8 is not supported (use float32 '<f4' or float16 '<f2')",
    );
    expect(() => readNpy(npyBytes('>f4', '(2,)', payload), 'q.npy')).toThrow(NpyError);
    expect(() => readNpy(npyBytes('<i4', '(2,)', payload), 'q.npy')).toThrow(
      /dtype <i4 is not supported/,
    );
  });

  it('rejects Fortran order and a data/shape mismatch on write', () => {
    expect(() => readNpy(npyBytes('<f4', '(2, 2)', payload, 1, true), 'q.npy')).toThrow(
      'q.npy: Fortran-order arrays are not supported; save with C order',
    );
    expect(() => writeNpy(new Float32Array(5), [2, 2])).toThrow(
      'shape (2, 2) has 4 elements, data has 5',
    );
  });
});
