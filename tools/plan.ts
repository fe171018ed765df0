// npm run plan -- --stack <name> [--out <dir>] [--nodes <n>] [--render]
// Runs index.ts under Pulumi's mocks with Pulumi.<name>.yaml (or --stack-file) and writes the
// plan to <dir> (default out/<name>). --render also renders every Helm release with Helm 3 and the
// pinned chart packages into <dir>/manifests/ (charts come from the chart cache; see npm run charts).
// An earlier plan in <dir> stands for the stack's last deployment: the data-loss guard refuses a plan
// that would delete what that one stored (components/data-loss), and the earlier plan stays.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../components/config/errors";
import { DataLossError } from "../components/data-loss/guard";
import { ChartNotFoundError } from "./charts/cache";
import { RenderError } from "./charts/render";
import { describeRendered, renderPlanDir } from "./offline/manifests";
import { checkPlanDir, PlanDirError, planStack, previousPlanOutputs, writePlan } from "./offline/plan";
import { DEFAULT_NODES_PER_CLUSTER } from "./offline/footprint";
import { summarize } from "./offline/summary";
import { command, runCli } from "./cli";

async function main(args: string[]): Promise<number> {
    const started = process.hrtime.bigint();
    const { values } = parseArgs({
        args,
        options: {
            stack: { type: "string", default: "dev" },
            out: { type: "string" },
            "stack-file": { type: "string" },
            // Nodes per cluster when DaemonSet requests are summed.
            nodes: { type: "string", default: String(DEFAULT_NODES_PER_CLUSTER) },
            render: { type: "boolean", default: false },
        },
        strict: true,
    });
    const stack = values.stack as string;
    const nodes = Number(values.nodes);
    if (!Number.isInteger(nodes) || nodes < 1) {
        console.error(`--nodes: expected a whole number of nodes per cluster (at least 1); got ${values.nodes}`);
        return 1;
    }
    const out = path.resolve(values.out ?? path.join("out", stack));
    // A folder the plan may not be written to is refused before the plan is made, not after.
    try {
        checkPlanDir(out);
    } catch (err) {
        if (!(err instanceof PlanDirError)) throw err;
        console.error(err.message);
        return 1;
    }
    let plan;
    try {
        // The earlier plan in the folder stands for the last deployment: the data-loss guard
        // compares with it, as `pulumi up` compares with the stack's last outputs.
        plan = await planStack(stack, { stackFile: values["stack-file"], previousOutputs: previousPlanOutputs(out) });
    } catch (err) {
        // Nothing is written for a plan that failed; a refused one leaves the earlier plan in place.
        if (err instanceof DataLossError) {
            console.error(`${err.message}\n(Compared with the earlier plan in ${path.relative(process.cwd(), out) || "."}.)`);
        } else {
            console.error(err instanceof ConfigError ? err.message : `Plan of stack "${stack}" failed: ${(err as Error).stack ?? err}`);
        }
        return 1;
    }
    let files: string[];
    try {
        files = writePlan(plan, out);
    } catch (err) {
        if (!(err instanceof PlanDirError)) throw err;
        console.error(err.message);
        return 1;
    }
    let rendered = "";
    if (values.render) {
        try {
            rendered = describeRendered(await renderPlanDir(out));
        } catch (err) {
            if (!(err instanceof ChartNotFoundError || err instanceof RenderError)) throw err;
            console.error(err.message);
            return 1;
        }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(summarize(plan, nodes));
    if (rendered) console.log(rendered);
    console.log(`Wrote ${files.length} files to ${path.relative(process.cwd(), out) || "."} in ${seconds.toFixed(2)} s`);
    return 0;
}

export const planCommand = command("plan", main, { stack: true });

if (require.main === module) runCli(planCommand);
