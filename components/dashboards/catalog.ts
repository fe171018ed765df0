// Every dashboard the platform provisions, from typed inputs.
import { correlationDashboard } from "./correlation";
import { deliveryDashboard } from "./delivery";
import { goldenSignalsDashboard } from "./golden-signals";
import type { DashboardInputs } from "./inputs";
import type { DashboardDefinition } from "./kit";
import { DS } from "./kit";
import { platformHealthDashboard } from "./platform-health";
import { limitsDashboard } from "./limits";
import { sloDashboard, sloOverviewDashboard } from "./slo";

export function platformDashboards(inputs: DashboardInputs): DashboardDefinition[] {
    const correlate = inputs.datasourceUids.has(DS.logs.uid) && inputs.datasourceUids.has(DS.traces.uid);
    const all = [
        platformHealthDashboard(inputs.platform, inputs.datasourceUids.has(DS.logs.uid)),
        sloOverviewDashboard(),
        ...inputs.slos.map(sloDashboard),
        ...inputs.services.map(goldenSignalsDashboard),
        // Correlation needs both the logs and the traces datasource provisioned.
        ...(correlate ? inputs.services.map(correlationDashboard) : []),
        ...(inputs.platform.components.has("argocd") ? [deliveryDashboard()] : []),
        ...(inputs.limits ? [limitsDashboard(inputs.limits, inputs.platform.components)] : []),
    ];
    const seen = new Map<string, string>();
    for (const d of all) {
        const other = seen.get(d.uid);
        if (other !== undefined) throw new Error(`dashboards "${other}" and "${d.title}" share the uid ${d.uid}`);
        seen.set(d.uid, d.title);
    }
    return all;
}
