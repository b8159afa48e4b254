// The published JSON Schema of the report (docs/report.schema.json), compiled once with ajv: every
// report a test produces is checked against it, so the schema and the writer cannot drift apart.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { expect } from "vitest";

const schema = JSON.parse(readFileSync(new URL("../../docs/report.schema.json", import.meta.url), "utf8"));
// "date-time" is checked by hand below: ajv's formats live in a separate package.
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, formats: { "date-time": true } }).compile(schema);

/** Schema violations of a report (as its JSON would be read back), as readable lines; empty when valid. */
export function schemaErrors(report: unknown): string[] {
  const json = JSON.parse(JSON.stringify(report));
  const errors = validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  const created = json?.provenance?.createdAt;
  if (typeof created === "string" && !(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(created) && Number.isFinite(Date.parse(created)))) errors.push(`/provenance/createdAt is not an ISO 8601 UTC time: ${created}`);
  return errors;
}

export function expectValidReport(report: unknown): void {
  expect(schemaErrors(report)).toEqual([]);
}
