import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chartSvg, checkChartRequest } from "../../src/report/sweep-chart.ts";
import { writeSweepReport } from "../../src/report/sweep-report.ts";
import { readSweepTable } from "../../src/report/sweep-table.ts";
import { runSweep } from "../../src/sweep/run-sweep.ts";
import { loadSweepFile } from "../../src/sweep/sweep-spec.ts";
import { hopsim, shortChase, tmpDir, writeSweep } from "./helpers.ts";

const dir = tmpDir("plot");
const out = path.join(dir, "out");

beforeAll(async () => {
  const sweep = loadSweepFile(
    writeSweep(dir, "plot", {
      set: shortChase(200),
      matrix: { "link.latency": ["4ns", "8ns", "16ns"], "link.widthBits": [8, 16], "workload.regions[1].policy": ["local", "interleave"] },
      columns: ["threads[1].nsPerAccess", { name: "slowdown", expr: "threads[1].nsPerAccess / threads[0].nsPerAccess", unit: "ratio" }],
      plots: [{ x: "link.latency", y: "slowdown", by: "link.widthBits" }],
    }),
  );
  await runSweep(sweep, { out, jobs: 1 });
}, 30_000);

/** Checks that every tag of an SVG document is closed in order (well-formed enough for a viewer). */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (m[1] === "/") expect(stack.pop()).toBe(m[2]);
    else if (m[3] !== "/") stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
}

describe("charts of a sweep", () => {
  it("are valid SVG whose axis titles carry units", async () => {
    const svg = await chartSvg(readSweepTable(out), { y: "threads[1].nsPerAccess", x: "link.latency", by: "link.widthBits" });
    expectWellFormedSvg(svg);
    expect(svg).toContain("link.latency (ns)");
    // Two policies share each (latency, width): the line is their mean.
    expect(svg).toContain("threads[1].nsPerAccess, mean (ns)");
  });

  it("show a nominal parameter as grouped bars", async () => {
    const svg = await chartSvg(readSweepTable(out), { y: "slowdown", x: "workload.regions[1].policy", by: "link.widthBits" });
    expectWellFormedSvg(svg);
    expect(svg).toContain("slowdown, mean (ratio)");
    expect(svg).toContain('role-mark marks" role="graphics-object" aria-roledescription="rect mark container');
  });

  it("are written by `hopsim plot`", () => {
    const file = path.join(dir, "chart.svg");
    const r = hopsim(["plot", out, "--y", "slowdown", "--x", "link.latency", "--by", "link.widthBits", "--where", "workload.regions[1].policy=interleave", "--out", file]);
    expect(r.code).toBe(0);
    const svg = fs.readFileSync(file, "utf8");
    expectWellFormedSvg(svg);
    expect(svg).toContain("slowdown vs link.latency by link.widthBits (workload.regions[1].policy=interleave)");
  });

  it("name an unknown column or parameter, with the columns there are", () => {
    const t = readSweepTable(out);
    expect(() => checkChartRequest(t, { y: "slowdwn", x: "link.latncy" })).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({ path: "--y", message: 'no statistic column named "slowdwn" (columns: threads[1].nsPerAccess, slowdown)' }),
          expect.objectContaining({ path: "--x", message: expect.stringMatching(/^no parameter or column named "link\.latncy"/) }),
        ],
      }),
    );
  });

  it("refuse a --where that no point matches, naming the values there are, and write no file", () => {
    const file = path.join(dir, "empty.svg");
    const r = hopsim(["plot", out, "--y", "slowdown", "--x", "link.latency", "--where", "link.widthBits=12", "--out", file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${path.join(out, "points.csv")}: --where: no point of the sweep has link.widthBits=12 (link.widthBits has 8, 16)`);
    expect(fs.existsSync(file)).toBe(false);
    const t = readSweepTable(out);
    expect(() => checkChartRequest(t, { y: "slowdown", x: "link.latency", where: { "link.widthBits": 8, "link.latency": "5ns" } })).toThrow(/no point of the sweep has link\.latency=5ns \(link\.latency has 4ns, 8ns, 16ns\)$/);
  });

  it("go inline into report.html with the points table", async () => {
    const r = await writeSweepReport(out);
    const html = fs.readFileSync(r.report, "utf8");
    expect(r.charts).toEqual([path.join(out, "charts", "slowdown-vs-link.latency-by-link.widthBits.svg")]);
    expect(html).toContain("<svg");
    expect(html).toContain("<th>slowdown (ratio)</th>");
    expect(html.match(/<tr>/g)!.length).toBe(1 + 12);
  });
});
