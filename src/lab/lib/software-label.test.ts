/** A software (CPU-emulated) WebGPU result says so in its title, the CSV and the Markdown. */
import { describe, expect, it } from 'vitest';
import { exampleResult } from '../../model/example.ts';
import { readResult, type ResultFile } from '../../model/index.ts';
import { comparisonCsv } from '../export/csv.ts';
import { runMarkdown } from '../export/markdown.ts';
import { resultTitle } from './format.ts';

const adapter = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'swiftshader-device-subzero-',
  description: 'SwiftShader driver 5.0.0',
  features: ['timestamp-query'],
  limits: { maxBufferSize: 268435456 },
  software: true,
};

function webgpu(software: boolean): ResultFile {
  return readResult(
    exampleResult([1.25, 1.5, 1.375], {
      id: software ? 'sw' : 'hw',
      target: {
        backend: 'webgpu',
        kernel: 'flash-f32',
        kernelParams: {},
        label: 'browser · webgpu · flash-f32',
      },
      env: {
        adapter: software
          ? adapter
          : {
              ...adapter,
              description: 'NVIDIA H100',
              architecture: 'hopper',
              device: '',
              vendor: 'nvidia',
              software: false,
            },
      },
    }),
  );
}

describe('software adapter label', () => {
  it('marks the title of a software-adapter result and leaves a GPU result alone', () => {
    expect(resultTitle(webgpu(true))).toBe(
      'browser · webgpu · flash-f32 · software (CPU-emulated) WebGPU',
    );
    expect(resultTitle(webgpu(false))).toBe('browser · webgpu · flash-f32');
  });

  it('carries the label into the comparison CSV and the run Markdown', () => {
    const csv = comparisonCsv(webgpu(true), webgpu(false)).split('\n');
    expect(csv[0]).toBe('role,id,index,ms,target');
    expect(csv[1]).toBe(
      'baseline,sw,0,1.25,browser · webgpu · flash-f32 · software (CPU-emulated) WebGPU',
    );
    expect(csv[4]).toBe('candidate,hw,0,1.25,browser · webgpu · flash-f32');
    expect(runMarkdown(webgpu(true)).split('\n')[0]).toBe(
      '# browser · webgpu · flash-f32 · software (CPU-emulated) WebGPU — B=1 H=2 S=128 D=64 f32',
    );
  });
});
