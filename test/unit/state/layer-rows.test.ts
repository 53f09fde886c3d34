import { describe, expect, it } from 'vitest';
import type { ImageModel } from '../../../src/core/image/model';
import type { ConfigFile } from '../../../src/core/types';
import { historyRows, layerCommands, layerPickerLabel } from '../../../src/state/layer-rows';

const config = {
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created_by: '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git openssh-client' },
  ],
} as ConfigFile;
const image = { config, layers: [{}, {}] } as ImageModel;

describe('layer and history view models', () => {
  it('gives each layer the command that made it, empty_layer lines skipped', () => {
    expect(layerCommands(image)).toEqual([config.history?.[0].created_by, config.history?.[2].created_by]);
    expect(historyRows(image).map((row) => row.layerIndex)).toEqual([0, null, 1]);
  });

  it('names a layer in the picker by its build step, without the shell prefix, cut at 60 characters', () => {
    expect(layerPickerLabel(0, config.history?.[0].created_by ?? null)).toBe('0 · ADD file:abc in /');
    const long = layerPickerLabel(1, config.history?.[2].created_by ?? null);
    expect(long.startsWith('1 · apt-get update && apt-get install')).toBe(true);
    expect(long.length).toBe('1 · '.length + 60);
    expect(long.endsWith('…')).toBe(true);
    expect(layerPickerLabel(2, null)).toBe('2');
  });
});
