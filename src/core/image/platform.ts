/**
 * Platforms as links, pickers and report.json write them:
 * `os/architecture[/variant]` (image-spec image-index.md "platform").
 */
import type { Platform } from '../types';

/** `os/architecture[/variant]`, or `''` when there is no platform. */
export function formatPlatform(platform: Platform | null | undefined): string {
  if (!platform) return '';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** True when `platform` is what `wanted` (`os/architecture[/variant]`) names; a `wanted` without variant matches any. */
export function platformMatches(platform: Platform | null | undefined, wanted: string): boolean {
  if (!platform) return false;
  const [os, architecture, variant] = wanted.split('/');
  if (platform.os !== os || platform.architecture !== architecture) return false;
  return variant === undefined || platform.variant === variant;
}
