/**
 * Getting things out of the lab as files: downloads of text, and any chart as SVG or PNG. Charts
 * draw with concrete colours (see charts/palette.ts), so the serialised SVG stands alone.
 */

/** What an exported chart says about itself: a title and context lines (config, device, date). */
export interface ChartStamp {
  /** Title, e.g. "Histogram of cpu · cpu-flash-f32". */
  title: string;
  /** Context lines, e.g. the config, the device and the date. */
  lines: string[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * A copy of the chart with its title and context written above it, so an exported file says
 * what it shows without the page around it. The chart is shifted down; the size grows.
 */
export function stampedSvg(svg: SVGSVGElement, stamp: ChartStamp): SVGSVGElement {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const width = Number(clone.getAttribute('width') ?? 0);
  const height = Number(clone.getAttribute('height') ?? 0);
  const header = 22 + 15 * stamp.lines.length;
  const body = clone.ownerDocument.createElementNS(SVG_NS, 'g');
  body.setAttribute('transform', `translate(0,${header})`);
  for (const child of [...clone.childNodes]) {
    if (child.nodeName !== 'title') body.append(child);
  }
  const text = (content: string, y: number, size: number, weight: string): SVGTextElement => {
    const t = clone.ownerDocument.createElementNS(SVG_NS, 'text');
    t.setAttribute('x', '12');
    t.setAttribute('y', String(y));
    t.setAttribute('font-size', String(size));
    t.setAttribute('font-weight', weight);
    t.setAttribute('class', 'stamp');
    t.textContent = content;
    return t;
  };
  clone.append(text(stamp.title, 17, 13, '600'));
  stamp.lines.forEach((line, i) => {
    clone.append(text(line, 34 + 15 * i, 11, '400'));
  });
  clone.append(body);
  clone.setAttribute('height', String(height + header));
  clone.setAttribute('viewBox', `0 0 ${width} ${height + header}`);
  return clone;
}

/** Serialises a chart's SVG element as a standalone SVG document (stamped when given). */
export function svgText(svg: SVGSVGElement, stamp?: ChartStamp): string {
  const clone = stamp ? stampedSvg(svg, stamp) : (svg.cloneNode(true) as SVGSVGElement);
  clone.setAttribute('xmlns', SVG_NS);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

/** A chart as SVG markup to inline in an HTML report (no XML prolog; stamped when given). */
export function inlineSvg(svg: SVGSVGElement, stamp?: ChartStamp): string {
  const clone = stamp ? stampedSvg(svg, stamp) : (svg.cloneNode(true) as SVGSVGElement);
  clone.setAttribute('xmlns', SVG_NS);
  return new XMLSerializer().serializeToString(clone);
}

/** Every chart SVG inside `container`, as inline markup, in page order. */
export function chartsIn(container: HTMLElement | undefined): string[] {
  if (!container) return [];
  return [...container.querySelectorAll<SVGSVGElement>('figure.chart svg')].map((svg) =>
    inlineSvg(svg),
  );
}

/** Offers a blob as a download named `name`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/** Offers text as a download. */
export function downloadText(text: string, name: string, type: string): void {
  downloadBlob(new Blob([text], { type }), name);
}

/** Downloads a chart as SVG. */
export function downloadSvg(svg: SVGSVGElement, name: string, stamp?: ChartStamp): void {
  downloadText(svgText(svg, stamp), `${name}.svg`, 'image/svg+xml');
}

/** Renders a chart to PNG at `scale`× on the given background colour and downloads it. */
export async function downloadPng(
  svg: SVGSVGElement,
  name: string,
  background: string,
  stamp?: ChartStamp,
  scale = 2,
): Promise<void> {
  const source = stamp ? stampedSvg(svg, stamp) : svg;
  const width = Number(source.getAttribute('width') ?? svg.clientWidth);
  const height = Number(source.getAttribute('height') ?? svg.clientHeight);
  const url = URL.createObjectURL(new Blob([svgText(source)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw to a canvas');
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((b) => {
        if (b) resolve(b);
        else reject(new Error('PNG encoding failed'));
      }, 'image/png');
    });
    downloadBlob(blob, `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file-name-safe slug, e.g. `cpu-naive-S128`. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}
