/** The HTML report of a sweep folder: its charts (inline SVG, also written to charts/) and its points table. */
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { chartFileName, chartSvg, defaultCharts, type ChartRequest } from "./sweep-chart.ts";
import { readSweepTable, type SweepTable } from "./sweep-table.ts";
import { titleWithUnit } from "./quantity-axis.ts";

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Prefixes the ids an SVG defines (clip paths, gradients), so several SVGs can share one HTML page. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`).replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

/** The charts of a report: those the sweep file names, else one per column. */
export function reportCharts(t: SweepTable): ChartRequest[] {
  const plots = t.manifest?.plots ?? [];
  if (plots.length === 0) return defaultCharts(t);
  return plots.map((p) => {
    const r: ChartRequest = { x: p.x, y: p.y, logX: p.logX, logY: p.logY };
    if (p.by !== undefined) r.by = p.by;
    if (p.title !== undefined) r.title = p.title;
    if (p.where !== undefined) r.where = p.where;
    return r;
  });
}

const STYLE = `body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:.85em;color:#555}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:.2em .5em}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3;position:sticky;top:0}tr.failed td{background:#fdecea}.meta{color:#555}`;

function formatCell(v: string): string {
  const n = Number(v);
  if (v === "" || !Number.isFinite(n) || Number.isInteger(n)) return v;
  return String(Number(n.toPrecision(6)));
}

/** The report's HTML, with the given charts' SVG inline. */
export function reportHtml(t: SweepTable, charts: { request: ChartRequest; file: string; svg: string }[]): string {
  const m = t.manifest;
  const name = m?.name ?? path.basename(t.dir);
  const failed = t.rows.filter((r) => r["error"] !== "").length;
  const meta = [
    m === undefined ? undefined : `machine <code>${escapeHtml(m.machine)}</code>, workload <code>${escapeHtml(m.workload)}</code>`,
    `${t.rows.length} points, ${failed} failed`,
    m === undefined ? undefined : `hopsim ${escapeHtml(m.hopsim)}`,
  ].filter((s) => s !== undefined);
  const head = t.header.map((h) => `<th>${escapeHtml(t.columns.includes(h) ? titleWithUnit(h, t.units[h] ?? "") : h)}</th>`).join("");
  const body = t.rows
    .map((r) => {
      const cells = t.header.map((h) => {
        const v = r[h] ?? "";
        const numeric = v !== "" && Number.isFinite(Number(v));
        return `<td${numeric ? ' class="num"' : ""}>${escapeHtml(formatCell(v))}</td>`;
      });
      return `<tr${r["error"] !== "" ? ' class="failed"' : ""}>${cells.join("")}</tr>`;
    })
    .join("\n");
  const figures = charts.map((c, i) => `<figure>${scopeSvgIds(c.svg, `chart${i}-`)}<figcaption>${escapeHtml(c.file)}</figcaption></figure>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>hopsim sweep ${escapeHtml(name)}</title><style>${STYLE}</style></head>
<body>
<h1>Sweep ${escapeHtml(name)}</h1>
${m?.description ? `<p>${escapeHtml(m.description)}</p>\n` : ""}<p class="meta">${meta.join(" &middot; ")}</p>
<h2>Charts</h2>
<div class="charts">
${figures || "<p>No numeric results to chart.</p>"}
</div>
<h2>Points</h2>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

/** Writes `<dir>/charts/*.svg` and `<dir>/report.html`; returns the paths written. */
export async function writeSweepReport(dir: string): Promise<{ report: string; charts: string[] }> {
  const t = readSweepTable(dir);
  const charts: { request: ChartRequest; file: string; svg: string }[] = [];
  for (const request of reportCharts(t)) {
    const file = path.join("charts", chartFileName(request));
    charts.push({ request, file, svg: await chartSvg(t, request) });
  }
  const written: string[] = [];
  for (const c of charts) {
    const p = path.join(t.dir, c.file);
    writeFileAtomic(p, c.svg);
    written.push(p);
  }
  const report = path.join(t.dir, "report.html");
  writeFileAtomic(report, reportHtml(t, charts));
  return { report, charts: written };
}
