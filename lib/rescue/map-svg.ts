/**
 * A picture of a mapfile, like ddrescueview: a grid of cells in disc order, each coloured by the
 * worst status of the bytes it covers, with a legend and the totals.
 */

import type { BlockStatus, IntervalMap } from './interval-map.js';

export interface MapSvgOptions {
  /** Cells per row. Default 64. */
  columns?: number;
  /** Number of cells. Default 64 × 48. */
  cells?: number;
  /** Cell size in pixels. Default 10. */
  cellSize?: number;
  title?: string;
  /** For the legend: bytes per sector. Default 2048. */
  sectorSize?: number;
}

const STATUSES: Array<{ status: BlockStatus; name: string; color: string }> = [
  { status: '+', name: 'finished', color: '#2ca02c' },
  { status: '?', name: 'non-tried', color: '#7f7f7f' },
  { status: '*', name: 'non-trimmed', color: '#f0c419' },
  { status: '/', name: 'non-scraped', color: '#1f77b4' },
  { status: '-', name: 'bad sector', color: '#d62728' },
];

/** Worse statuses win a cell: a single bad sector must stay visible on a big disc. */
const SEVERITY: Record<string, number> = { '+': 0, '?': 1, '/': 2, '*': 3, '-': 4 };

export function renderMapSvg(map: IntervalMap, options: MapSvgOptions = {}): string {
  const columns = options.columns ?? 64;
  const cellCount = Math.max(1, Math.min(options.cells ?? 64 * 48, Math.max(1, map.size)));
  const cell = options.cellSize ?? 10;
  const rows = Math.ceil(cellCount / columns);
  const bytesPerCell = map.size / cellCount;
  const worst = new Array<number>(cellCount).fill(0);
  map.forEachRun((pos, size, status) => {
    const severity = SEVERITY[status] ?? 0;
    if (severity === 0 || bytesPerCell === 0) return;
    const first = Math.floor(pos / bytesPerCell);
    const last = Math.min(cellCount - 1, Math.floor((pos + size - 1) / bytesPerCell));
    for (let i = first; i <= last; i++) worst[i] = Math.max(worst[i] ?? 0, severity);
  });
  const colorOf = (severity: number) => STATUSES.find((s) => SEVERITY[s.status] === severity)?.color ?? '#000';
  const width = columns * cell;
  const legendTop = rows * cell + 30;
  const height = legendTop + STATUSES.length * 18 + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 20}" height="${height}" viewBox="0 0 ${width + 20} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title ?? 'discrescue map')}</title>`,
    `<text x="10" y="16" font-weight="bold">${escapeXml(options.title ?? 'discrescue map')}</text>`,
    `<g transform="translate(10,22)">`,
  ];
  for (let i = 0; i < cellCount; i++) {
    const x = (i % columns) * cell;
    const y = Math.floor(i / columns) * cell;
    parts.push(`<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${colorOf(worst[i] ?? 0)}"/>`);
  }
  parts.push('</g>');
  const sectorSize = options.sectorSize ?? 2048;
  STATUSES.forEach((s, k) => {
    const bytes = map.count(s.status);
    const y = legendTop + k * 18;
    parts.push(`<rect x="10" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`);
    parts.push(
      `<text x="28" y="${y}">${s.name}: ${bytes} bytes (${Math.ceil(bytes / sectorSize)} sectors, ${((100 * bytes) / Math.max(1, map.size)).toFixed(3)}%)</text>`,
    );
  });
  parts.push(`<text x="${width - 200}" y="${legendTop}">one cell = ${Math.round(bytesPerCell)} bytes</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}
