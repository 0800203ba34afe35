// Checksummed pages shared by the tests and their child processes / workers (plain
// JavaScript so a worker or a child can import it without a TypeScript loader).
//
// Layout of a page: [0, 4) page number, [4, 8) version, [8, size - 4) bytes derived from
// both, [size - 4, size) FNV-1a checksum of everything before it.

/** FNV-1a over `bytes[0, length)`. */
export function checksum(bytes, length) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < length; index++) hash = Math.imul(hash ^ bytes[index], 0x01000193);
  return hash >>> 0;
}

/** Writes version `version` of page `page` into `frame`. */
export function writePage(frame, page, version) {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setUint32(0, page, true);
  view.setUint32(4, version, true);
  let state = (Math.imul(page, 0x9e3779b1) ^ Math.imul(version + 1, 0x85ebca6b)) >>> 0;
  for (let index = 8; index < frame.byteLength - 4; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    frame[index] = state >>> 24;
  }
  view.setUint32(frame.byteLength - 4, checksum(frame, frame.byteLength - 4), true);
}

/** `{ page, version, valid }` of a frame. */
export function inspectPage(frame) {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const valid = view.getUint32(frame.byteLength - 4, true) === checksum(frame, frame.byteLength - 4);
  return { page: view.getUint32(0, true), version: view.getUint32(4, true), valid };
}

/** The bytes of a file of `pages` checksummed pages, all at `version`. */
export function checksummedFile(pages, pageSize, version = 0) {
  const bytes = new Uint8Array(pages * pageSize);
  for (let page = 0; page < pages; page++) writePage(bytes.subarray(page * pageSize, (page + 1) * pageSize), page, version);
  return bytes;
}
