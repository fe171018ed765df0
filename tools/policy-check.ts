// npm run policy -- --stack <name>
// Runs the policy pack (policy/) on the stack's offline plan. Exit 1 on a mandatory violation;
// advisory ones are printed only.
import { parseArgs } from "node:util";
import { policyResources, runPolicies } from "./policy/offline";
import { planStack } from "./offline/plan";
import { command, runCli } from "./cli";

async function main(args: string[]): Promise<number> {
    const { values } = parseArgs({ args, options: { stack: { type: "string" } }, strict: true });
    if (!values.stack) throw new Error("--stack <name> is required");
    const plan = await planStack(values.stack);
    const violations = runPolicies(policyResources(plan));
    for (const v of violations) {
        console.log(`${v.enforcementLevel === "mandatory" ? "error" : "warning"} [${v.policy}] ${v.resource ? `${v.resource}: ` : ""}${v.message}`);
    }
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    console.log(`Stack ${plan.stack}: ${plan.resources.length} resources, ${mandatory} mandatory and ${violations.length - mandatory} advisory violation(s).`);
    return mandatory > 0 ? 1 : 0;
}

export const policyCommand = command("policy", main);

if (require.main === module) runCli(policyCommand);
