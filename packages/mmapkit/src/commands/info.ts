import { allocationGranularity, largestRuntimeView, pageSize, type Capabilities } from '@mmapkit/core';
import { backends } from '../backends.js';
import { formatBytes, table } from '../format.js';
import { defaultBackend } from '../map.js';

function cell(value: Capabilities[keyof Capabilities]): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatBytes(value);
  if (Array.isArray(value)) return value.length === 0 ? '-' : String(value.length);
  return String(value);
}

/** 'available', with where its native code came from when the backend says. */
function availability(origin: string | undefined): string {
  return origin === undefined ? 'available' : `available (${origin})`;
}

/** `mmapkit info`: backends here and why, page size, granularity, largest view, capabilities. */
export function info(json: boolean): void {
  const reports = backends();
  let chosen: string | undefined;
  let reason: string | undefined;
  try {
    const choice = defaultBackend();
    chosen = choice.backend.name;
    reason = choice.reason;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (json) {
    console.log(
      JSON.stringify(
        {
          platform: `${process.platform}-${process.arch}`,
          node: process.version,
          pageSize,
          allocationGranularity,
          largestView: largestRuntimeView,
          defaultBackend: chosen ?? null,
          reason,
          backends: reports.map((report) => ({
            name: report.name,
            available: report.available,
            reason: report.reason ?? null,
            origin: report.backend?.origin ?? null,
            capabilities: report.backend?.capabilities ?? null,
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(`platform:               ${process.platform}-${process.arch}, Node ${process.version}`);
  console.log(`page size:              ${pageSize} bytes`);
  console.log(`allocation granularity: ${allocationGranularity} bytes`);
  console.log(`largest view:           ${formatBytes(largestRuntimeView)}`);
  console.log(`default backend:        ${chosen ?? 'none'} (${reason ?? ''})\n`);
  console.log('backends:');
  for (const report of reports) console.log(`  ${report.name.padEnd(12)} ${report.available ? availability(report.backend?.origin) : `unavailable: ${report.reason ?? ''}`}`);
  const available = reports.filter((report) => report.backend !== undefined);
  if (available.length === 0) return;
  const keys = Object.keys(available[0]!.backend!.capabilities) as Array<keyof Capabilities>;
  const rows = [['capability', ...available.map((report) => report.name)]];
  for (const key of keys) rows.push([key, ...available.map((report) => cell(report.backend!.capabilities[key]))]);
  console.log(`\n${table(rows)}`);
  console.log('\n(advice and protections: the number of values supported; `mmapkit info --json` lists them)');
}
