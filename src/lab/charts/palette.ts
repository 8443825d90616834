/**
 * Chart colours as concrete values (not CSS variables), so an exported SVG or PNG looks the
 * same outside the page. One palette per theme; series colours are distinguishable in both and
 * for the common colour-vision deficiencies (Okabe–Ito).
 */

/** Colours a chart draws with. */
export interface Palette {
  /** Text and axes. */
  fg: string;
  /** Secondary text, ticks. */
  muted: string;
  /** Grid lines. */
  grid: string;
  /** Chart background (used for PNG export). */
  bg: string;
  /** Series colours, baseline first. */
  series: readonly string[];
  /** Fill opacity of bands and areas. */
  bandOpacity: number;
}

const OKABE_ITO_LIGHT = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'] as const;
const OKABE_ITO_DARK = ['#56b4e9', '#e69f00', '#2ccf9b', '#e08cc0', '#f0e442', '#ff8a5c'] as const;

/** Palette of the light theme. */
export const LIGHT_PALETTE: Palette = {
  fg: '#1d232b',
  muted: '#5b6573',
  grid: '#e3e7ec',
  bg: '#ffffff',
  series: OKABE_ITO_LIGHT,
  bandOpacity: 0.18,
};

/** Palette of the dark theme. */
export const DARK_PALETTE: Palette = {
  fg: '#e6e9ee',
  muted: '#a2abb8',
  grid: '#2f3742',
  bg: '#161b22',
  series: OKABE_ITO_DARK,
  bandOpacity: 0.25,
};

/** Colour of series `i` (wraps around). */
export function seriesColor(palette: Palette, i: number): string {
  return palette.series[i % palette.series.length] ?? palette.fg;
}
