// npm run adopt -- --stack <name> [--stack-file <file>] [--out <dir>]
// For a stack that adopts releases already running on its clusters (clusters[].adopt), plans the
// stack offline and writes the two `pulumi import --file` files to <dir> (default out/adopt/<name>):
// parents.json (the empty components the imported resources belong to) and import.json (the
// namespaces and releases), then prints the steps in order with the equivalent single commands.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../components/config/errors";
import { adoptionImports, adoptionSteps } from "./adopt/imports";
import { planStack } from "./offline/plan";
import { command, runCli } from "./cli";


async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: { stack: { type: "string" }, "stack-file": { type: "string" }, out: { type: "string" } },
        strict: true,
    });
    if (!values.stack) {
        console.error("--stack: the stack whose adoption to print, such as --stack prod");
        return 1;
    }
    const stack = values.stack;
    let plan;
    try {
        // A first deployment: no earlier outputs, as `pulumi import` and `pulumi up` will see it.
        plan = await planStack(stack, { stackFile: values["stack-file"] });
    } catch (err) {
        console.error(err instanceof ConfigError ? err.message : `Plan of stack "${stack}" failed: ${(err as Error).stack ?? err}`);
        return 1;
    }
    const adoption = adoptionImports(plan);
    const out = values.out ?? path.join("out", "adopt", stack);
    const files = { parents: path.join(out, "parents.json"), imports: path.join(out, "import.json") };
    if (adoption.imports.resources.length > 0) {
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(files.parents, `${JSON.stringify(adoption.parents, null, 4)}\n`);
        fs.writeFileSync(files.imports, `${JSON.stringify(adoption.imports, null, 4)}\n`);
    }
    console.log(adoptionSteps(adoption, stack, files));
    return 0;
}

export const adoptCommand = command("adopt", main, { stack: true });

if (require.main === module) runCli(adoptCommand);
