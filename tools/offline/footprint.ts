// Summed CPU and memory requests of the planned releases, per cluster, read back from the Helm values
// each release sets (what the scheduler will reserve), with replica counts and DaemonSets per node.
// The one reader of requests: the plan's summary and the cost estimate both print these figures.
import type { PlannedRelease } from "./plan";

/** Nodes assumed per cluster when DaemonSets are counted (npm run plan / cost -- --nodes <n>). */
export const DEFAULT_NODES_PER_CLUSTER = 3;

export interface WorkloadRequests {
    /** Release resource name ("<cluster>-<release>"). */
    release: string;
    chart: string;
    workload: string;
    /** Pods: replicas, or the node count for a DaemonSet. */
    pods: number;
    daemonSet: boolean;
    /** Requests of one pod (all its containers). */
    cpuMilli: number;
    memoryMi: number;
}

export interface Footprint {
    workloads: WorkloadRequests[];
    cpuMilli: number;
    memoryMi: number;
    /** Charts whose workloads were found by a generic walk over the values (no dedicated reader). */
    estimatedCharts: string[];
}

export function cpuMilli(quantity: unknown): number {
    if (quantity === undefined || quantity === null) return 0;
    const text = String(quantity);
    const m = /^([0-9.]+)(m?)$/.exec(text);
    if (!m) throw new Error(`not a CPU quantity: ${text}`);
    return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

export function memoryMi(quantity: unknown): number {
    if (quantity === undefined || quantity === null) return 0;
    const text = String(quantity);
    const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(text);
    if (!m) throw new Error(`not a memory quantity: ${text}`);
    const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };
    return Number(m[1]) * (m[2] ? factor[m[2]] : 1 / 1048576);
}

type Values = Record<string, any>;
const at = (v: Values, path: string): any => path.split(".").reduce<any>((o, k) => (o == null ? undefined : o[k]), v);
const requests = (resources: any) => ({ cpu: cpuMilli(resources?.requests?.cpu), mem: memoryMi(resources?.requests?.memory) });

interface Pod {
    workload: string;
    pods: number | "node";
    containers: unknown[]; // `resources` blocks
}

/** Workloads per chart, from the values the platform sets (chart defaults where it sets none). */
const READERS: Record<string, (v: Values) => Pod[]> = {
    "kube-prometheus-stack": (v) => {
        const reloader = at(v, "prometheusOperator.prometheusConfigReloader.resources");
        const sidecars = ["dashboards", "datasources"].filter((s) => at(v, `grafana.sidecar.${s}.enabled`) !== false);
        return [
            { workload: "prometheus", pods: at(v, "prometheus.prometheusSpec.replicas") ?? 1, containers: [at(v, "prometheus.prometheusSpec.resources"), reloader] },
            { workload: "alertmanager", pods: at(v, "alertmanager.alertmanagerSpec.replicas") ?? 1, containers: [at(v, "alertmanager.alertmanagerSpec.resources"), reloader] },
            { workload: "prometheus-operator", pods: 1, containers: [at(v, "prometheusOperator.resources")] },
            { workload: "kube-state-metrics", pods: 1, containers: [at(v, "kube-state-metrics.resources")] },
            { workload: "node-exporter", pods: "node", containers: [at(v, "prometheus-node-exporter.resources")] },
            {
                workload: "grafana",
                pods: at(v, "grafana.replicas") ?? 1,
                containers: [at(v, "grafana.resources"), ...sidecars.map(() => at(v, "grafana.sidecar.resources"))],
            },
        ];
    },
    "argo-cd": (v) => {
        const one = (key: string, enabled = at(v, `${key}.enabled`) !== false): Pod[] =>
            enabled ? [{ workload: key, pods: at(v, `${key}.replicas`) ?? 1, containers: [at(v, `${key}.resources`)] }] : [];
        // redis-ha (subchart dandydeveloper/redis-ha) defaults to 3 Redis and 3 HAProxy pods.
        const redis: Pod[] = at(v, "redis-ha.enabled")
            ? [
                  { workload: "redis-ha", pods: at(v, "redis-ha.replicas") ?? 3, containers: [at(v, "redis-ha.redis.resources")] },
                  { workload: "redis-ha-haproxy", pods: at(v, "redis-ha.haproxy.replicas") ?? 3, containers: [at(v, "redis-ha.haproxy.resources")] },
              ]
            : one("redis");
        return [
            ...one("controller", true),
            ...one("server", true),
            ...one("repoServer", true),
            ...one("applicationSet", true),
            ...one("notifications"),
            ...one("dex"),
            ...redis,
        ];
    },
    loki: (v) => {
        const pods: Pod[] = [];
        const components = ["singleBinary", "gateway", "ingester", "distributor", "querier", "queryFrontend", "queryScheduler", "indexGateway", "compactor", "ruler", "backend", "read", "write"];
        for (const c of components) {
            const replicas = at(v, `${c}.replicas`) ?? 0;
            if (c === "gateway" && at(v, "gateway.enabled") === false) continue;
            // The rules sidecar runs in the pods of a component with `sidecar` on (the chart's defaults: single binary and backend).
            const sidecarOn = (at(v, `${c}.sidecar`) ?? ["singleBinary", "backend"].includes(c)) && at(v, "sidecar.rules.enabled") !== false;
            const sidecar = sidecarOn ? [at(v, "sidecar.resources")] : [];
            if (replicas > 0) pods.push({ workload: c, pods: replicas, containers: [at(v, `${c}.resources`), ...sidecar] });
        }
        for (const cache of ["chunksCache", "resultsCache"]) {
            if (at(v, `${cache}.enabled`) === false) continue;
            pods.push({ workload: cache, pods: at(v, `${cache}.replicas`) ?? 1, containers: [at(v, `${cache}.resources`)] });
        }
        if (at(v, "lokiCanary.enabled") !== false) pods.push({ workload: "canary", pods: "node", containers: [at(v, "lokiCanary.resources")] });
        return pods;
    },
    alloy: (v) => [
        {
            workload: "alloy",
            pods: (at(v, "controller.type") ?? "daemonset") === "daemonset" ? "node" : (at(v, "controller.replicas") ?? 1),
            containers: [at(v, "alloy.resources"), at(v, "configReloader.enabled") === false ? undefined : at(v, "configReloader.resources")],
        },
    ],
    tempo: (v) => [{ workload: "tempo", pods: v.replicas ?? 1, containers: [at(v, "tempo.resources")] }],
    "opentelemetry-collector": (v) => [
        { workload: "collector", pods: v.mode === "daemonset" ? "node" : (v.replicaCount ?? 1), containers: [v.resources] },
    ],
    "opentelemetry-operator": (v) => [{ workload: "manager", pods: v.replicaCount ?? 1, containers: [at(v, "manager.resources")] }],
    // The Redis preset: one exporter pod per instance.
    "prometheus-redis-exporter": (v) => [{ workload: "redis-exporter", pods: v.replicaCount ?? 1, containers: [v.resources] }],
    // The probes' exporter: one Deployment (its chart counts `replicas`).
    "prometheus-blackbox-exporter": (v) => [{ workload: "blackbox-exporter", pods: v.replicas ?? 1, containers: [v.resources] }],
};

/**
 * Charts without a reader: every `resources` block with requests once, times the nearest `replicas`
 * (or Bitnami's `replicaCount`) at or above it, so a sidecar counts once per pod of its workload.
 */
function genericPods(values: Values): Pod[] {
    const pods: Pod[] = [];
    const walk = (node: unknown, path: string[], inherited: number) => {
        if (typeof node !== "object" || node === null || Array.isArray(node)) return;
        const n = node as Values;
        const replicas = typeof n.replicas === "number" ? n.replicas : typeof n.replicaCount === "number" ? n.replicaCount : inherited;
        if (n.resources?.requests) pods.push({ workload: path.join(".") || "(root)", pods: replicas, containers: [n.resources] });
        for (const [k, child] of Object.entries(n)) if (k !== "resources") walk(child, [...path, k], replicas);
    };
    walk(values, [], 1);
    return pods;
}

export function footprint(releases: readonly PlannedRelease[], nodes: number): Footprint {
    const workloads: WorkloadRequests[] = [];
    const estimated = new Set<string>();
    for (const release of releases) {
        const reader = READERS[release.chart];
        if (!reader) estimated.add(release.chart);
        for (const pod of (reader ?? genericPods)(release.values as Values)) {
            const sum = pod.containers.map(requests).reduce((a, b) => ({ cpu: a.cpu + b.cpu, mem: a.mem + b.mem }), { cpu: 0, mem: 0 });
            workloads.push({
                release: release.resource,
                chart: release.chart,
                workload: pod.workload,
                pods: pod.pods === "node" ? nodes : pod.pods,
                daemonSet: pod.pods === "node",
                cpuMilli: sum.cpu,
                memoryMi: sum.mem,
            });
        }
    }
    return {
        workloads,
        cpuMilli: workloads.reduce((a, w) => a + w.pods * w.cpuMilli, 0),
        memoryMi: workloads.reduce((a, w) => a + w.pods * w.memoryMi, 0),
        estimatedCharts: [...estimated].sort(),
    };
}

/** Releases per cluster: the release resource name starts with "<cluster>-". */
export function releasesByCluster(clusters: readonly string[], releases: readonly PlannedRelease[]): Map<string, PlannedRelease[]> {
    // Longest names first, so "prod-eu" is not taken for a release of "prod".
    const ordered = [...clusters].sort((a, b) => b.length - a.length);
    const out = new Map<string, PlannedRelease[]>(clusters.map((c) => [c, []]));
    for (const r of releases) {
        const cluster = ordered.find((c) => r.resource.startsWith(`${c}-`));
        if (cluster) out.get(cluster)?.push(r);
    }
    return out;
}

// Half-up to hundredths, as the cost estimate's exact arithmetic rounds: toFixed on 10.725 prints 10.72,
// because 10.725 has no exact binary form. Scaling first keeps the halves exact (x/10, x*25/256).
export const formatCpu = (milli: number) => `${(Math.round(milli / 10) / 100).toFixed(2)} CPU`;
export const formatMemory = (mi: number) => `${(Math.round((mi * 25) / 256) / 100).toFixed(2)} GiB`;
