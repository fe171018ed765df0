// The requests of a single-cluster stack on the minimal tier, counted by hand for the tests of the
// plan's summary and the cost estimate: independent of the platform model that the program sums.
import type { Settings } from "../../components/config/schema";

/**
 * The minimal tier's requests on a cluster of `nodes` nodes, counted by hand: the pods (or containers)
 * of each settings entry, times that entry's requests.
 */
export function minimalTierTotals(resources: Settings["resources"], nodes: number): { cpuMilli: number; memoryMi: number } {
    const count: Partial<Record<keyof typeof resources, number>> = {
        prometheus: 1,
        alertmanager: 1,
        prometheusConfigReloader: 2, // one in the Prometheus pod, one in the Alertmanager pod
        prometheusOperator: 1,
        kubeStateMetrics: 1,
        nodeExporter: nodes,
        grafana: 1,
        grafanaSidecar: 2, // dashboards and datasources sidecars
        argocdController: 1,
        argocdServer: 1,
        argocdRepoServer: 1,
        argocdApplicationSet: 1,
        argocdNotifications: 1,
        argocdDex: 1,
        argocdRedis: 1,
        loki: 1,
        lokiGateway: 1,
        alloy: nodes,
        alloyConfigReloader: nodes + 1, // one per log DaemonSet pod, one in the events Alloy
        alloyEvents: 1,
        lokiRulesSidecar: 1, // in the single-binary Loki pod
        tempo: 1,
        otelGateway: 1,
        otelOperator: 1,
        blackboxExporter: 1, // the probes' exporter on the hub
    };
    const milli = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const mi = (q: string) => Number(q.slice(0, -2)) * (q.endsWith("Gi") ? 1024 : 1);
    let cpuMilli = 0;
    let memoryMi = 0;
    for (const [workload, n] of Object.entries(count)) {
        const spec = resources[workload as keyof typeof resources];
        cpuMilli += n! * milli(spec.requests.cpu);
        memoryMi += n! * mi(spec.requests.memory);
    }
    return { cpuMilli, memoryMi };
}
