/**
 * Writes schema/result.schema.json from the zod schema in src/model (run: npm run schema).
 * A unit test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { resultJsonSchemaText } from '../src/model/schema-file.ts';

writeFileSync(new URL('../schema/result.schema.json', import.meta.url), resultJsonSchemaText());
process.stdout.write('wrote schema/result.schema.json\n');
