// The plan's printed summary: resources by type, the Helm releases, and the requests per cluster.
import { DEFAULT_NODES_PER_CLUSTER, footprint, formatCpu, formatMemory } from "./footprint";
import type { Plan } from "./plan";

export function summarize(plan: Plan, nodes = DEFAULT_NODES_PER_CLUSTER): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const width = Math.max(...[...counts.keys()].map((t) => t.length));
    const lines = [
        `Stack ${plan.stack}: tier ${plan.settings.tier}, metrics backend ${plan.settings.metricsBackend}, ` +
            `${plan.settings.clusters.length} cluster(s), ${plan.resources.length} resources`,
        "Resources by type:",
        ...[...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `  ${t.padEnd(width)}  ${n}`),
        "Helm releases:",
        ...plan.releases.map((r) => `  ${r.resource} (${r.namespace}): ${r.chart}@${r.version}`),
        `Requests per cluster (${nodes} nodes each, DaemonSets counted per node):`,
        ...plan.model.clusters.map((cluster) => {
            const f = footprint(cluster, nodes);
            return `  ${cluster.name}: ${formatCpu(f.cpuMilli)}, ${formatMemory(f.memoryMi)}`;
        }),
    ];
    return lines.join("\n");
}
