// npm run charts [-- --no-pull]
// Fills the chart cache (.charts/) with every pinned chart package: from the cache, a local mirror
// (CHART_MIRROR, or ../shared/charts/packages when present) or `helm pull` from the chart's repository.
// Exit 1, with one line per chart, when a chart that must be rendered can be found nowhere.
import { parseArgs } from "node:util";
import { cacheDir, ChartNotFoundError, ensureAllCharts } from "./charts/cache";
import { command, runCli } from "./cli";

async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({ args, options: { "no-pull": { type: "boolean", default: false } }, strict: true });
    try {
        const reports = await ensureAllCharts({ pull: !values["no-pull"] });
        for (const r of reports) {
            console.log(r.unrendered ? `  ${r.chart} ${r.version}: not available, not rendered: ${r.unrendered}` : `  ${r.chart} ${r.version}: ${r.source}`);
        }
        console.log(`Chart cache ${cacheDir()}: ${reports.filter((r) => r.source).length} of ${reports.length} pinned charts`);
        return 0;
    } catch (err) {
        if (!(err instanceof ChartNotFoundError)) throw err;
        console.error(err.message);
        return 1;
    }
}

export const chartsCommand = command("charts", main, { stack: true });

if (require.main === module) runCli(chartsCommand);
