/** Writing result files from the CLI. */
import { writeFileChecked } from '../../native-runner/src/server/checked-write.ts';
import type { ResultFile } from '../model/index.ts';

/** Writes a result file atomically (temp file + rename): never half-written. */
export async function writeResult(path: string, result: ResultFile): Promise<void> {
  // Checked: write-file-atomic 6 ignores short writes, leaving a truncated file on a full disk.
  await writeFileChecked(path, JSON.stringify(result, null, 2) + '\n');
}
