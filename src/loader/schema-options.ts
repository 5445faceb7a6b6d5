/** ajv options shared by the generated validator and the explaining one (`schema.ts`), so both read the schema alike. */
export const FAST_OPTIONS = { allowUnionTypes: true, strict: true, strictRequired: false } as const;
