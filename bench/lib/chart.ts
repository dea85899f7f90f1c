/** A small grouped bar chart (SVG) of Ansible and easy-kube seconds per workload and host count. */
export interface ChartRow {
  readonly label: string;
  readonly ansible: number;
  readonly easykube: number;
}

export function barChartSvg(title: string, rows: readonly ChartRow[]): string {
  const width = 760;
  const rowHeight = 46;
  const left = 190;
  const height = 60 + rows.length * rowHeight + 30;
  const max = Math.max(...rows.flatMap((r) => [r.ansible, r.easykube]), 1);
  const scale = (seconds: number) => ((width - left - 90) * seconds) / max;
  const bars = rows
    .map((row, i) => {
      const y = 50 + i * rowHeight;
      return [
        `<text x="${left - 10}" y="${y + 20}" text-anchor="end" font-size="13">${escape(row.label)}</text>`,
        `<rect x="${left}" y="${y + 4}" width="${scale(row.ansible).toFixed(1)}" height="16" fill="#c0392b"/>`,
        `<text x="${left + scale(row.ansible) + 6}" y="${y + 17}" font-size="12">${row.ansible.toFixed(1)} s</text>`,
        `<rect x="${left}" y="${y + 22}" width="${Math.max(1, scale(row.easykube)).toFixed(1)}" height="16" fill="#2874a6"/>`,
        `<text x="${left + Math.max(1, scale(row.easykube)) + 6}" y="${y + 35}" font-size="12">${row.easykube.toFixed(1)} s</text>`,
      ].join("\n");
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escape(title)}</text>
${bars}
<rect x="${left}" y="${height - 24}" width="12" height="12" fill="#c0392b"/><text x="${left + 18}" y="${height - 14}" font-size="12">Ansible</text>
<rect x="${left + 100}" y="${height - 24}" width="12" height="12" fill="#2874a6"/><text x="${left + 118}" y="${height - 14}" font-size="12">easy-kube</text>
</svg>
`;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}
