import { mapFile, type Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWith, runChild, seededBytes, temporaryFolder, type ChildStep } from './support.js';

export function describeCrossProcess(backend: Backend): void {
  const coherent = backend.capabilities.coherentVisibility;
  const when = coherent ? 'immediately' : 'after sync() by the writer and refresh() by the reader';

  describe('sharing with another process', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const contents = seededBytes(pageSize * 4, 4);
    const fromParent = [...seededBytes(64, 5)];
    const fromChild = [...seededBytes(64, 6)];

    it(`a child process mapping the same file sees the parent's writes ${when}, and the parent sees the child's`, async () => {
      const path = fileWith(folder.folder, 'shared.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(pageSize + 10, fromParent.length).set(fromParent);
      if (!coherent) mapping.sync();
      const childSteps: ChildStep[] = [
        { op: 'read', offset: pageSize + 10, length: fromParent.length },
        { op: 'write', offset: pageSize * 3 + 1, bytes: fromChild },
      ];
      if (!coherent) childSteps.push({ op: 'sync' });
      const result = await runChild(backend.moduleSpecifier, path, childSteps);
      expect(result.reads[0]).toEqual(fromParent);
      if (!coherent) mapping.refresh();
      expect([...mapping.view(pageSize * 3 + 1, fromChild.length)]).toEqual(fromChild);
      // The parent's own bytes are still there.
      expect([...mapping.view(pageSize + 10, fromParent.length)]).toEqual(fromParent);
    });

    it('two processes writing different regions of one file keep both changes', async () => {
      const path = fileWith(folder.folder, 'shared.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(0, fromParent.length).set(fromParent);
      await runChild(backend.moduleSpecifier, path, [
        { op: 'write', offset: pageSize * 2, bytes: fromChild },
        { op: 'sync' },
      ]);
      mapping.sync();
      mapping.refresh();
      expect([...mapping.view(0, fromParent.length)]).toEqual(fromParent);
      expect([...mapping.view(pageSize * 2, fromChild.length)]).toEqual(fromChild);
      const check = await runChild(backend.moduleSpecifier, path, [
        { op: 'read', offset: 0, length: fromParent.length },
        { op: 'read', offset: pageSize * 2, length: fromChild.length },
      ]);
      expect(check.reads).toEqual([fromParent, fromChild]);
    });
  });
}
