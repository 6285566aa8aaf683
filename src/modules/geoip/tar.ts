/**
 * Finds one regular file in a POSIX/ustar tar archive (what MaxMind serves, gzipped) and returns its bytes.
 * Enough for that archive: no long-name extensions beyond the ustar prefix, no sparse files.
 */
export function extractFileFromTar(archive: Buffer, wanted: (name: string) => boolean): Buffer | undefined {
  const blockSize = 512;
  let offset = 0;
  while (offset + blockSize <= archive.length) {
    const header = archive.subarray(offset, offset + blockSize);
    if (header.every((byte) => byte === 0)) return undefined;
    const text = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = text(345, 155);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const dataStart = offset + blockSize;
    if ((type === '0' || type === '\0') && wanted(name)) return archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / blockSize) * blockSize;
  }
  return undefined;
}
