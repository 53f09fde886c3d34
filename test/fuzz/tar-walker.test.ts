/**
 * Fuzzes the streaming tar walker (src/core/tar/walker.ts) with real tars
 * written by GNU tar as seeds.
 */
import { TarWalker } from '../../src/core/tar/walker';
import { fuzzTest, type FuzzTarget } from './engine';
import { bytesOf, makeTars } from '../helpers/make-tars';

const target: FuzzTarget = {
  name: 'tar-walker',
  iterations: 5000,
  seeds() {
    const tars = makeTars();
    const { dir: _dir, ...paths } = tars;
    return Object.values(paths)
      .filter((value) => value.endsWith('.tar'))
      .map((path) => bytesOf(path));
  },
  run(input) {
    const walker = new TarWalker();
    walker.push(input);
    walker.finish();
  },
};

fuzzTest(target);
