import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, renderSchemaFile } from '../../../scripts/schema-file.js';
import { CampaignSchema } from '../../../src/config/schema.js';

describe('configs/campaign.schema.json', () => {
    it('matches the zod schema (run "npm run schema" when this fails)', async () => {
        expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchemaFile());
    });

    it('describes inputs: strict objects, defaults optional, required keys required', () => {
        const s = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
            required: string[];
            additionalProperties: boolean;
            properties: Record<string, { type?: string }>;
        };
        expect(s.required.sort()).toEqual(['models', 'name', 'roles']);
        expect(s.additionalProperties).toBe(false);
        expect(Object.keys(s.properties)).toEqual(Object.keys(CampaignSchema.shape));
    });
});
