/**
 * The context an exported chart or report carries so it stands alone: the config(s), the
 * device(s) and the date(s) of the results it shows.
 */
import { configLabel, type Env, type ResultFile } from '../../model/index.ts';
import type { ChartStamp } from './files.ts';

/** A short name of the device a result ran on: GPU, WebGPU adapter, or CPU. */
export function deviceOf(env: Env): string {
  if (env.gpu) return env.gpu.name;
  const a = env.adapter;
  if (a) {
    const name =
      a.description !== ''
        ? a.description
        : [a.vendor, a.architecture, a.device].filter(Boolean).join(' ');
    return `WebGPU ${name !== '' ? name : 'adapter'}`;
  }
  return env.host?.cpu ?? env.host?.hostname ?? 'unknown device';
}

/** Distinct values in first-seen order. */
function distinct(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

/** The stamp of a chart over these results: config, device and date lines. */
export function chartStamp(title: string, results: readonly ResultFile[]): ChartStamp {
  const configs = distinct(results.map((r) => configLabel(r.config)));
  const devices = distinct(results.map((r) => deviceOf(r.env)));
  const dates = distinct(results.map((r) => r.createdAt.slice(0, 16).replace('T', ' ') + ' UTC'));
  const span =
    dates.length <= 2
      ? dates.join(' and ')
      : `${dates[0] ?? ''} … ${dates[dates.length - 1] ?? ''}`;
  return {
    title,
    lines: [
      `config: ${configs.length <= 2 ? configs.join(' vs ') : `${configs.length} configs`}`,
      `device: ${devices.join(' vs ')}`,
      `date: ${span} · attnlab`,
    ],
  };
}
