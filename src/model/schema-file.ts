/** The exact text of schema/result.schema.json (shared by the generator script and its test). */
import { RESULT_SCHEMA, resultJsonSchema } from './result.ts';

/** Pretty-printed JSON Schema of attnlab/result@1 with an $id and title. */
export function resultJsonSchemaText(): string {
  const schema = {
    $id: 'https://attnlab.dev/schema/result-1.json',
    title: RESULT_SCHEMA,
    description:
      'An attnlab benchmark result: config, target, environment, timing method, raw samples, memory, correctness and derived figures.',
    ...(resultJsonSchema() as Record<string, unknown>),
  };
  return JSON.stringify(schema, null, 2) + '\n';
}
