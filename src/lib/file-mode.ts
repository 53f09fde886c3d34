/**
 * `ls -l` style mode strings, with the setuid/setgid/sticky bits shown the
 * way ls shows them (s/S, t/T): those bits are what a security review looks
 * for first.
 */

const TYPE_LETTERS: Record<string, string> = {
  dir: 'd',
  symlink: 'l',
  char: 'c',
  block: 'b',
  fifo: 'p',
  whiteout: 'w',
  opaque: 'o',
};

/** `('file', 0o4755)` → `"-rwsr-xr-x"`. */
export function formatMode(type: string, mode: number): string {
  const letters = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((letter, i) =>
    mode & (1 << (8 - i)) ? letter : '-',
  );
  const special = (index: number, bit: number, set: string): void => {
    if (!(mode & bit)) return;
    letters[index] = letters[index] === 'x' ? set : set.toUpperCase();
  };
  special(2, 0o4000, 's');
  special(5, 0o2000, 's');
  special(8, 0o1000, 't');
  return (TYPE_LETTERS[type] ?? '-') + letters.join('');
}
