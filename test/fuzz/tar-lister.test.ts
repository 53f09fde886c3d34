/**
 * Fuzzes the random-access tar lister (src/core/tar/list.ts) with the tar
 * walker's seeds and mutators. Its ReadRange refuses any read outside the
 * input (a plain Error, which the engine counts as a failure), the listing
 * must end (the engine's time bound: a negative size once sent it back to
 * the same header forever), members must lie inside the archive, and where
 * the listing has no error it must list what the walker lists.
 */
import { InspectError } from '../../src/core/errors';
import { listTarMembers, TarWalker } from '../../src/core/tar/walker';
import { fuzzTest, type FuzzTarget } from './engine';
import { bigGlobalHeader, craftedTars, toolSeeds } from './seeds';
import { tarMutators } from './tar-mutators';

const target: FuzzTarget = {
  name: 'tar-lister',
  iterations: 14_000,
  seeds: () => [...toolSeeds().tars, ...craftedTars()],
  replays: () => [bigGlobalHeader()],
  mutators: tarMutators,
  async run(input) {
    const listing = await listTarMembers(
      async (offset, length) => {
        if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > input.length) {
          throw new Error(`read outside the input: ${length} bytes at ${offset} of ${input.length}`);
        }
        return input.slice(offset, offset + length);
      },
      input.length,
      { windowSize: 4096 },
    );
    for (const member of listing.members) {
      if (member.dataOffset > input.length || member.headerOffset >= member.dataOffset || member.size < 0) {
        throw new Error(`member outside the archive: ${JSON.stringify(member).slice(0, 200)}`);
      }
    }
    if (listing.error !== null) return;
    const walker = new TarWalker({ keepEntries: true });
    try {
      walker.push(input);
      walker.finish();
    } catch (error) {
      // Less than one block is no tar to the walker, and an empty listing to the lister.
      if (error instanceof InspectError && !walker.recognised) return;
      if (error instanceof InspectError) throw new Error(`the lister found no error where the walker found ${error.code}: ${error.message}`, { cause: error });
      throw error;
    }
    const listed = listing.members.map((member) => `${member.name}@${member.dataOffset}`).join('|');
    const walked = walker.entries.map((entry) => `${entry.path}@${entry.offset}`).join('|');
    if (listed !== walked) throw new Error('the lister and the walker list different members');
  },
};

fuzzTest(target);
