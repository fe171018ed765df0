// npm run cost -- --stack <name> [--format table|markdown|json] [--prices <file>] [--nodes <n>]
// npm run cost -- --compare dev,prod [--format table|markdown|json]
// Plans each stack offline and prints its monthly cost estimate. Exit 1 on bad config or prices.
import { parseArgs } from "node:util";
import { estimateCost, type Estimate } from "./cost/estimate";
import { loadPrices, PRICES_FILE } from "./cost/prices";
import { renderCompare, renderMarkdown, renderTable, toJson } from "./cost/render";
import { DEFAULT_NODES_PER_CLUSTER } from "./offline/footprint";
import { planStack } from "./offline/plan";
import { command, runCli } from "./cli";

async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: {
            stack: { type: "string" },
            compare: { type: "string" },
            format: { type: "string", default: "table" },
            prices: { type: "string", default: PRICES_FILE },
            // Nodes per cluster for the DaemonSets' pods, as npm run plan counts them.
            nodes: { type: "string", default: String(DEFAULT_NODES_PER_CLUSTER) },
        },
        strict: true,
    });
    const format = values.format as string;
    if (!["table", "markdown", "json"].includes(format)) throw new Error(`--format must be table, markdown or json, got "${format}"`);
    if (Boolean(values.stack) === Boolean(values.compare)) throw new Error("pass either --stack <name> or --compare <a>,<b>[,...]");
    const stacks = values.stack ? [values.stack] : (values.compare as string).split(",").map((s) => s.trim()).filter(Boolean);
    const nodes = Number(values.nodes);
    if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a whole number of nodes, at least 1, got "${values.nodes}"`);
    const prices = loadPrices(values.prices);
    const estimates: Estimate[] = [];
    // Pulumi's runtime is process-global: one stack after the other.
    for (const stack of stacks) estimates.push(estimateCost(await planStack(stack), prices, nodes));

    if (format === "json") console.log(JSON.stringify(values.stack ? toJson(estimates[0]) : estimates.map(toJson), null, 2));
    else if (values.stack) console.log(format === "markdown" ? renderMarkdown(estimates[0]) : renderTable(estimates[0]));
    else console.log(renderCompare(estimates, format as "table" | "markdown"));
    return 0;
}

export const costCommand = command("cost", main);

if (require.main === module) runCli(costCommand);
