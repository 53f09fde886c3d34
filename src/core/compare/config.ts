/**
 * Two image configs compared field by field (image-spec config.md): the
 * platform, when and by whom it was made, and the runtime settings. Map-like
 * settings are compared per key (one difference per environment variable,
 * label, port or volume), so "PATH changed, DEBUG added" reads as such.
 */

import type { ConfigFile } from '../types';

/** The compared fields, named as the Config view labels them. */
export type ConfigField =
  | 'platform'
  | 'created'
  | 'author'
  | 'user'
  | 'workingDir'
  | 'entrypoint'
  | 'cmd'
  | 'env'
  | 'exposedPorts'
  | 'volumes'
  | 'labels'
  | 'stopSignal'
  | 'healthcheck';

/** A value as shown: text, a command (argument list), or absent. */
export type ConfigValue = string | string[] | null;

/** One difference between the configs. */
export interface ConfigDifference {
  field: ConfigField;
  /** The variable, label, port or volume, for per-key fields; null otherwise. */
  key: string | null;
  change: 'added' | 'removed' | 'changed';
  left: ConfigValue;
  right: ConfigValue;
}

function platformOf(config: ConfigFile | null): string | null {
  if (config === null) return null;
  const parts = [config.os, config.architecture, config.variant].filter((part) => part !== undefined && part !== '');
  const version = config['os.version'];
  return `${parts.join('/')}${version ? ` (${version})` : ''}`;
}

/** Environment variables by name, the last one winning as in a process environment. */
function envMap(env: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of env ?? []) {
    const equals = item.indexOf('=');
    if (equals < 0) map.set(item, '');
    else map.set(item.slice(0, equals), item.slice(equals + 1));
  }
  return map;
}

function keyMap(record: Readonly<Record<string, unknown>> | undefined, value: (item: unknown) => string): Map<string, string> {
  return new Map(Object.entries(record ?? {}).map(([key, item]) => [key, value(item)]));
}

function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => item === b[index]);
  return a === b;
}

function change(a: ConfigValue, b: ConfigValue): 'added' | 'removed' | 'changed' {
  if (a === null) return 'added';
  return b === null ? 'removed' : 'changed';
}

/** The differences between two configs (null = no config), in field order, keys sorted. */
export function compareConfigs(left: ConfigFile | null, right: ConfigFile | null): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  const scalar = (field: ConfigField, a: ConfigValue, b: ConfigValue): void => {
    if (!sameValue(a, b)) out.push({ field, key: null, change: change(a, b), left: a, right: b });
  };
  const perKey = (field: ConfigField, a: Map<string, string>, b: Map<string, string>): void => {
    const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
    for (const key of keys) {
      const x = a.get(key) ?? null;
      const y = b.get(key) ?? null;
      if (x !== y) out.push({ field, key, change: change(x, y), left: x, right: y });
    }
  };
  const l = left?.config;
  const r = right?.config;
  scalar('platform', platformOf(left), platformOf(right));
  scalar('created', left?.created ?? null, right?.created ?? null);
  scalar('author', left?.author ?? null, right?.author ?? null);
  scalar('user', l?.User || null, r?.User || null);
  scalar('workingDir', l?.WorkingDir || null, r?.WorkingDir || null);
  scalar('entrypoint', l?.Entrypoint ?? null, r?.Entrypoint ?? null);
  scalar('cmd', l?.Cmd ?? null, r?.Cmd ?? null);
  perKey('env', envMap(l?.Env), envMap(r?.Env));
  perKey('exposedPorts', keyMap(l?.ExposedPorts, () => ''), keyMap(r?.ExposedPorts, () => ''));
  perKey('volumes', keyMap(l?.Volumes, () => ''), keyMap(r?.Volumes, () => ''));
  perKey('labels', keyMap(l?.Labels, String), keyMap(r?.Labels, String));
  scalar('stopSignal', l?.StopSignal || null, r?.StopSignal || null);
  scalar('healthcheck', l?.Healthcheck?.Test ?? null, r?.Healthcheck?.Test ?? null);
  return out;
}
