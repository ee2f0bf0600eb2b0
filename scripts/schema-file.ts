// The exact text of configs/campaign.schema.json: the zod schema as JSON Schema, formatted by the repo's
// prettier settings so `npm run format:check` and the snapshot test agree with `npm run schema`.
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { campaignJsonSchema } from '../src/config/schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../configs/campaign.schema.json', import.meta.url));

export const renderSchemaFile = async (): Promise<string> => {
    const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
    return prettier.format(JSON.stringify(campaignJsonSchema(), null, 4), { ...options, filepath: SCHEMA_FILE });
};
