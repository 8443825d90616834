/**
 * The one- or two-sentence plain explanation of each step, written for a class watching on a
 * projector. Numbers use three decimals and a true minus sign, like the view's labels.
 */
import type { StepProblem, TileSizes } from './steps-problem.ts';
import type { UnexplainedStep } from './steps.ts';
import type { Range } from './steps-traffic.ts';

/** Formats a number as the view does: three decimals, U+2212 minus, −∞ for minus infinity. */
export function formatValue(x: number): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  const text = x.toFixed(3);
  // −0.000 reads as a bug on a slide; a value that rounds to zero is shown as 0.000.
  return text === '-0.000' ? '0.000' : text.replace('-', '−');
}

function span(what: string, range: Range): string {
  const last = range.end - 1;
  return range.start === last ? `${what} ${range.start}` : `${what}s ${range.start}–${last}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Explains one step from its own fields (nothing is recomputed here). */
export function explainStep(step: UnexplainedStep, problem: StepProblem, tiles: TileSizes): string {
  const n = step.rows.end - step.rows.start;
  switch (step.kind) {
    case 'load-q': {
      const short =
        n < Math.min(tiles.queryTile, problem.seqLen) ? ' (the last tile is short)' : '';
      return (
        `Query tile ${step.queryTile} holds ${span('row', step.rows)}${short}. The kernel loads ` +
        `${n === 1 ? 'this query row' : `these ${n} query rows`} into on-chip memory once and ` +
        `starts the running max m at −∞, the running sum l at 0 and the output accumulator Õ at 0.`
      );
    }
    case 'scores': {
      const { cols, scores } = step.tile;
      const nc = cols.end - cols.start;
      const masked = scores.flat().filter((x) => x === -Infinity).length;
      const mask =
        masked > 0
          ? ` ${plural(masked, 'score')} where the key comes after the query ${masked === 1 ? 'is' : 'are'} masked to −∞.`
          : '';
      return (
        `Key/value tile ${step.tile.keyTile} (${span('key', cols)}) streams in from memory. ` +
        `Dot products of each query row with each key, times the scale ${formatValue(problem.scale)}, ` +
        `fill a ${n}×${nc} score tile — the only piece of the S×S matrix that ever exists here.${mask}`
      );
    }
    case 'max': {
      const { mPrev } = step.tile;
      const first = mPrev.every((x) => x === -Infinity);
      const changed = step.m.flatMap((x, a) => (x > (mPrev[a] ?? -Infinity) ? [a] : []));
      const a = changed[0];
      if (first || a === undefined) {
        return first
          ? `This is the first key tile, so each row's running max m is simply its largest score ` +
              `here (row ${step.rows.start}: m = ${formatValue(step.m[0] ?? -Infinity)}).`
          : `No row found a score larger than its running max, so m stays the same and nothing ` +
              `needs rescaling for this tile.`;
      }
      return (
        `Each row's running max m becomes the larger of its old max and this tile's largest score. ` +
        `${plural(changed.length, 'row')} of ${n} found a new max (row ${step.rows.start + a}: ` +
        `${formatValue(mPrev[a] ?? -Infinity)} → ${formatValue(step.m[a] ?? -Infinity)}), so ` +
        `their earlier terms must shrink by α = exp(m_old − m_new).`
      );
    }
    case 'sum': {
      const first = step.tile.mPrev.every((x) => x === -Infinity);
      const row = `row ${step.rows.start}: l = ${formatValue(step.l[0] ?? 0)}`;
      return first
        ? `The scores become weights p = exp(s − m), each at most 1, and the running sum l is ` +
            `their total for now (${row}).`
        : `The scores become weights p = exp(s − m). The running sum is rescaled by ` +
            `α = exp(m_old − m_new) and this tile's weights are added: l = α·l + Σp (${row}).`;
    }
    case 'output': {
      const nc = step.tile.cols.end - step.tile.cols.start;
      return (
        `The partial output is rescaled by the same α and this tile's weights times its ` +
        `${plural(nc, 'value row')} are added: Õ = α·Õ + P·V. It is not divided by l yet.`
      );
    }
    case 'skip': {
      const one = step.skipped.end - step.skipped.start === 1;
      return (
        `With causal masking, key ${span('tile', step.skipped)} ${one ? 'comes' : 'come'} ` +
        `entirely after every query in this tile, so the kernel skips ${one ? 'it' : 'them'} ` +
        `without loading anything.`
      );
    }
    case 'normalise':
      return (
        `Every key tile has been seen. Dividing each row of Õ by its running sum l gives exactly ` +
        `softmax(Q·Kᵀ·scale)·V for ${span('row', step.rows)}, written to memory once.`
      );
  }
}
