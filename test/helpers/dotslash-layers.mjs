/**
 * The single layers test/fixtures/lib/producers.sh tars from inside their
 * directory (`tar -C dir -cf layer.tar .`, members starting with `./`), one
 * per producer and format: the unit and e2e tests both walk this list.
 */
export const dotslashLayers = [
  'layer-dotslash-gnutar-gnu.tar',
  'layer-dotslash-gnutar-oldgnu.tar',
  'layer-dotslash-gnutar-ustar.tar',
  'layer-dotslash-gnutar-posix.tar',
  'layer-dotslash-gnutar-v7.tar',
  'layer-dotslash-bsdtar-pax.tar',
  'layer-dotslash-bsdtar-ustar.tar',
  'layer-dotslash-bsdtar-gnutar.tar',
  'layer-dotslash-bsdtar-v7.tar',
  'layer-dotslash-busybox.tar',
  'layer-dotslash-gnutar-gnu.tar.gz',
  'layer-dotslash-busybox.tar.zst',
];
