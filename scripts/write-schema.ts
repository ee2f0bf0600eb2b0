// npm run schema: writes configs/campaign.schema.json from the zod schema (test/unit/config/schema-file.test.ts
// fails when the file is stale).
import { writeFileSync } from 'node:fs';
import { SCHEMA_FILE, renderSchemaFile } from './schema-file.js';

writeFileSync(SCHEMA_FILE, await renderSchemaFile());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
