/**
 * Parsing of untrusted JSON documents into typed, validated values. Hostile
 * input is expected: every field is checked before use and problems become
 * InspectError BadJson naming the document.
 */
import { InspectError, InspectErrorCode } from './errors';

/** A JSON object, before validation. */
export type JsonObject = Record<string, unknown>;

/** Parses `text` as JSON; throws InspectError BadJson naming `path`. */
export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InspectError(InspectErrorCode.BadJson, `${path} is not valid JSON: ${reason}`, path);
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `value` as an object or throws BadJson with `what` in the message. */
export function expectObject(value: unknown, path: string, what: string): JsonObject {
  if (!isObject(value)) {
    throw new InspectError(InspectErrorCode.BadJson, `${path}: ${what} is not a JSON object`, path);
  }
  return value;
}

/** The string at `object[key]`, or undefined when absent or not a string. */
export function optionalString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** Array of strings at `object[key]`, dropping non-strings; undefined when absent. */
export function optionalStringArray(object: JsonObject, key: string): string[] | undefined {
  const value = object[key];
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

/** String-to-string map at `object[key]` (annotations, labels), dropping other values. */
export function optionalStringMap(
  object: JsonObject,
  key: string,
): Record<string, string> | undefined {
  const value = object[key];
  if (!isObject(value)) return undefined;
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string') result[name] = item;
  }
  return result;
}
