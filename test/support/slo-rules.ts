// The series the SLO recording rules produce, read from what the plan writes: PrometheusRule
// resources and the rule files under <plan dir>/rules/. Until the SLO rules generator is merged the
// plan has none, and callers fall back to the naming module components/sre/slo-series.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Plan } from "../../tools/offline/plan";

export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

type RuleGroups = { groups?: { rules?: { record?: string }[] }[] };

function recordsOf(doc: RuleGroups | undefined): string[] {
    return (doc?.groups ?? []).flatMap((g) => (g.rules ?? []).map((r) => r.record).filter((r): r is string => !!r));
}

/** Series recorded by the plan's PrometheusRule resources and by `<dir>/rules/*.y(a)ml` files. */
export function recordedSeries(plan: Pick<Plan, "resources">, planDir?: string): Set<string> {
    const names = new Set<string>();
    for (const r of plan.resources.filter((x) => x.type === PROMETHEUS_RULE_TYPE)) {
        for (const n of recordsOf((r.inputs as { spec?: RuleGroups }).spec)) names.add(n);
    }
    const dir = planDir && path.join(planDir, "rules");
    if (dir && fs.existsSync(dir)) {
        for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
            const doc = parse(fs.readFileSync(path.join(dir, file), "utf8")) as RuleGroups & { spec?: RuleGroups };
            for (const n of [...recordsOf(doc), ...recordsOf(doc?.spec)]) names.add(n);
        }
    }
    return names;
}
