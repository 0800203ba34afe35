import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One sidebar entry per package page TypeDoc wrote (docs/api), so the list never goes stale. */
function apiPages() {
  const pages: { text: string; link: string }[] = [];
  const scoped = join(docs, 'api', '@mmapkit');
  if (existsSync(join(docs, 'api', 'mmapkit.md'))) pages.push({ text: 'mmapkit', link: '/api/mmapkit' });
  if (existsSync(scoped)) {
    for (const file of readdirSync(scoped).filter((name) => name.endsWith('.md')).sort()) {
      const name = file.replace(/\.md$/, '');
      pages.push({ text: `@mmapkit/${name}`, link: `/api/@mmapkit/${name}` });
    }
  }
  return pages;
}

export const sidebar = [
  { text: 'Introduction', items: [{ text: 'Getting started', link: '/getting-started' }] },
  {
    text: 'Concepts',
    items: [
      { text: 'Demand paging and residency', link: '/concepts/demand-paging' },
      { text: 'Shared and private mappings', link: '/concepts/sharing' },
      { text: 'Shared memory between processes', link: '/concepts/shared-memory' },
      { text: 'Sync and durability', link: '/concepts/sync' },
      { text: 'Protection and advice', link: '/concepts/protection-advice' },
    ],
  },
  { text: 'Backends', items: [{ text: 'Choosing a backend', link: '/backends' }] },
  {
    text: 'Guides',
    items: [
      { text: 'Struct views', link: '/guides/struct' },
      { text: 'Arena allocator', link: '/guides/arena' },
      { text: 'Streams', link: '/guides/streams' },
      { text: 'Shared map', link: '/guides/shared-map' },
      { text: 'Buffer pool', link: '/guides/buffer-pool' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'Safety', link: '/safety' },
      { text: 'Error catalogue', link: '/errors' },
      { text: 'Benchmarks', link: '/benchmarks' },
      { text: 'API', link: '/api/', items: apiPages() },
    ],
  },
];

export default defineConfig({
  title: 'mmapkit',
  description: 'Memory-mapped files and shared memory for Node.js',
  cleanUrls: false,
  lastUpdated: false,
  srcExclude: ['generated/**'],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'API', link: '/api/' },
      { text: 'Errors', link: '/errors' },
    ],
    sidebar,
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
