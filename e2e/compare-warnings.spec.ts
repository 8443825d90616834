/**
 * Compare refuses a verdict between different problems unless the person allows it (then the
 * verdict says cross-config), and shows src/stats' noise warnings in the view and the report.
 */
import { writeFile } from 'node:fs/promises';
import { exampleResult } from '../src/model/index.ts';
import { downloadText, expect, openLab, test } from './lab.ts';

// Deterministic, non-constant samples (no RNG needed: a fixed pattern around 2 ms).
const wobble = (n: number, base: number): number[] =>
  Array.from({ length: n }, (_, i) => base + 0.01 * ((i * 7) % 11));

test('different configs: no verdict until allowed, then cross-config; warnings shown', async ({
  page,
}, info) => {
  const a = exampleResult(wobble(40, 2), { id: 'cmp-a' });
  const b = exampleResult(wobble(3, 1.5), {
    id: 'cmp-b',
    createdAt: '2026-11-23T12:05:00.000Z',
    config: { batch: 1, heads: 2, seqLen: 256, headDim: 64, causal: false, dtype: 'f32' },
  });
  const files = [info.outputPath('a.json'), info.outputPath('b.json')];
  await writeFile(files[0] ?? '', JSON.stringify(a));
  await writeFile(files[1] ?? '', JSON.stringify(b));

  await openLab(page);
  await page.getByRole('tab', { name: 'Results' }).click();
  await page.getByLabel('Import result files').setInputFiles(files);
  await expect(page.getByText('Imported 2 results.')).toBeVisible();
  const table = page.getByRole('table', { name: 'Results history' });
  await table.getByRole('checkbox', { name: /S=128/ }).check();
  await table.getByRole('checkbox', { name: /S=256/ }).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();

  await expect(page.getByRole('heading', { name: /^Verdict: Inconclusive/ })).toBeVisible();
  await expect(page.getByText('Why no verdict:')).toBeVisible();
  const warnings = page.getByRole('note', { name: 'Comparison warnings' });
  await expect(warnings.locator('[data-code="different-config"]')).toBeVisible();
  await expect(warnings.locator('[data-code="few-samples"]')).toContainText('only 3 samples');
  // Two imported results, each its own run: the CIs miss run-to-run variation, and the view
  // says how to get a verdict that includes it.
  await expect(warnings.locator('[data-code="separate-runs"]')).toContainText(
    'timed in separate runs',
  );
  await expect(warnings.locator('[data-code="separate-runs"]')).toContainText(
    'use Run A against B (interleaved) below',
  );

  await page.getByLabel('Allow different configs (label the verdict cross-config)').check();
  await expect(page.getByRole('heading', { name: /^Verdict \(cross-config\):/ })).toBeVisible();
  await expect(
    page.getByText(/^Cross-config comparison: A and B solve different problems/),
  ).toBeVisible();

  const md = await downloadText(page, () =>
    page.getByRole('button', { name: 'Markdown report' }).click(),
  );
  expect(md.text).toContain('(cross-config: the configs differ)');
  expect(md.text).toContain('## Warnings');
  expect(md.text).toMatch(/- \*\*few-samples:\*\* .*only 3 samples/);
  expect(md.text).toMatch(/- \*\*separate-runs:\*\* Baseline and candidate were timed/);

  // The HTML report is one file: charts inline as SVG, nothing loaded from elsewhere.
  const html = await downloadText(page, () =>
    page.getByRole('button', { name: 'HTML report (one file)' }).click(),
  );
  expect(html.name).toBe('comparison-cmp-a-vs-cmp-b.html');
  expect(html.text.match(/<svg /g)).toHaveLength(2);
  expect(html.text).toContain('Verdict: inconclusive (cross-config: the configs differ)');
  expect(html.text).toContain('only 3 samples');
  expect(
    html.text.match(/\b(?:src|href|action)\s*=|url\((?!#)|@import|<link\b|<script\b/gi) ?? [],
  ).toEqual([]);

  // A chart's SVG carries its title, the configs, the device and the date.
  const svg = await downloadText(page, () =>
    page.getByRole('button', { name: /^SVG of Fraction of samples/ }).click(),
  );
  expect(svg.text).toContain('ECDF: cpu · cpu-flash-f32 (A) vs cpu · cpu-flash-f32 (B)');
  expect(svg.text).toContain('config: B=1 H=2 S=128 D=64 f32 vs B=1 H=2 S=256 D=64 f32');
  expect(svg.text).toContain('device: ');
  expect(svg.text).toContain('date: 2026-11-23 12:00 UTC and 2026-11-23 12:05 UTC');
});
