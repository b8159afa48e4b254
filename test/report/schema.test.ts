// The published JSON Schema (docs/report.schema.json) against the reports the renderer tests use and
// against reports broken on purpose: it accepts what edgecl writes and refuses what it never writes.
import { describe, expect, test } from "vitest";
import { checkReport } from "../../host/report/io.js";
import { makeProvenance } from "../../host/report/provenance.js";
import { schemaErrors } from "../helpers/report-schema.js";
import { completeReport, partialReport, plainReport } from "./fixtures.js";

describe("docs/report.schema.json", () => {
  test.each([
    ["complete", completeReport()],
    ["without the optional parts", plainReport()],
    ["a run that lost its board", partialReport()],
  ])("accepts the %s report, which the hand-written checker accepts too", (_, report) => {
    expect(() => checkReport(JSON.parse(JSON.stringify(report)), "fixture")).not.toThrow();
    expect(schemaErrors(report)).toEqual([]);
  });

  test("accepts a provenance as makeProvenance writes it", () => {
    const report = { ...completeReport(), provenance: { ...makeProvenance({ module: { file: "device.wasm", bytes: new Uint8Array([0, 97, 115, 109]) } }), board: { id: "sim", runtime: "v8", protocolVersion: 1 } } };
    expect(schemaErrors(report)).toEqual([]);
  });

  test.each([
    ["an accuracy above 1", (r: Record<string, any>) => (r.accuracy[0][0] = 1.5), "/accuracy/0/0"],
    ["a missing metrics key", (r: Record<string, any>) => delete r.metrics.bwt, "/metrics"],
    ["an unknown top-level key", (r: Record<string, any>) => (r.extra = 1), "/"],
    ["a checksum that is not 8 hex digits", (r: Record<string, any>) => (r.modelChecksum = "XYZ"), "/modelChecksum"],
    ["a provenance without its commit", (r: Record<string, any>) => (r.provenance = { tool: "edgecl", version: "0.1.0" }), "/provenance"],
    ["a health row's range share above 1", (r: Record<string, any>) => (r.telemetry[0].train.health[0].rangeUsed = 1.5), "/telemetry/0/train/health/0/rangeUsed"],
    ["a health row of an unknown role", (r: Record<string, any>) => (r.telemetry[0].train.health[0].role = "bias"), "/telemetry/0/train/health/0/role"],
    ["a start time that is not ISO 8601", (r: Record<string, any>) => (r.provenance = { ...makeProvenance(), createdAt: "yesterday" }), "/provenance/createdAt"],
  ])("refuses %s", (_, breakIt, path) => {
    const report = JSON.parse(JSON.stringify(completeReport()));
    breakIt(report);
    const errors = schemaErrors(report);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.startsWith(path))).toBe(true);
  });
});
