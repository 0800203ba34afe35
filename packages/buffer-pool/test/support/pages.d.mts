export function checksum(bytes: Uint8Array, length: number): number;
export function writePage(frame: Uint8Array, page: number, version: number): void;
export function inspectPage(frame: Uint8Array): { page: number; version: number; valid: boolean };
export function checksummedFile(pages: number, pageSize: number, version?: number): Uint8Array;
