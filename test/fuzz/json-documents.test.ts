/**
 * Fuzzes the parsers of image documents (src/core/image/manifest.ts,
 * src/core/json.ts) and the reader of a dropped JSON document
 * (src/sources/archive/single.ts) with the fixtures' real manifests, index,
 * configs and manifest.json as seeds, mutated value by value.
 */
import { classifyDocument, parseConfig, parseIndex, parseManifest } from '../../src/core/image/manifest';
import { parseJson } from '../../src/core/json';
import { readJsonDocument } from '../../src/sources/archive/single';
import { ModelBuilder } from '../../src/sources/model-builder';
import { fuzzTest, type FuzzTarget } from './engine';
import { jsonMutators } from './json-mutators';
import { documentSeeds } from './source-seeds';

const parsers = [parseManifest, parseIndex, parseConfig];

const target: FuzzTarget = {
  name: 'json-documents',
  iterations: 12_000,
  seeds: documentSeeds,
  mutators: jsonMutators,
  async run(input) {
    let value: unknown;
    try {
      value = parseJson(new TextDecoder().decode(input), 'doc.json');
    } catch {
      value = undefined;
    }
    if (value !== undefined) {
      classifyDocument(value);
      for (const parse of parsers) {
        try {
          parse(value, 'doc.json');
        } catch (error) {
          if (!(error instanceof Error) || error.name !== 'InspectError') throw error;
        }
      }
    }
    const builder = new ModelBuilder('json', 'doc.json', input.length);
    await readJsonDocument(builder, input);
    const internal = builder.errors.find((error) => error.code === 'internal');
    if (internal) throw new Error(`internal error in the model: ${internal.message}`);
  },
};

fuzzTest(target);
