// Summed CPU and memory requests of a cluster's pods, as the platform model states them per release
// (components/platform/workloads.ts): replicas, or one pod per node for a DaemonSet. The one reader of
// requests: the plan's summary and the cost estimate both print these figures.
import type { ClusterModel } from "../../components/platform/model";

/** Nodes assumed per cluster when DaemonSets are counted (npm run plan / cost -- --nodes <n>). */
export const DEFAULT_NODES_PER_CLUSTER = 3;

export interface WorkloadRequests {
    /** The program's name of the release, or "(program)" for a Deployment it creates itself. */
    release: string;
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
}

/** A CPU quantity of the settings ("250m", "1") in millicores. */
function cpuMilli(quantity: string): number {
    const m = /^([0-9.]+)(m?)$/.exec(quantity);
    if (!m) throw new Error(`not a CPU quantity: ${quantity}`);
    return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

/** A memory quantity of the settings ("512Mi", "1Gi", "500M") in MiB. */
function memoryMi(quantity: string): number {
    const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(quantity);
    if (!m) throw new Error(`not a memory quantity: ${quantity}`);
    const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };
    return Number(m[1]) * (m[2] ? factor[m[2]] : 1 / 1048576);
}

/**
 * Every workload of the cluster's releases and of the program's own Deployments, with `nodes` pods
 * for each DaemonSet.
 */
export function footprint(cluster: ClusterModel, nodes: number): Footprint {
    const owned = [
        ...cluster.releases.flatMap((r) => r.workloads.map((w) => ({ release: r.release, w }))),
        ...cluster.ownWorkloads.map((w) => ({ release: "(program)", w })),
    ];
    const workloads = owned.map(({ release, w }) => ({
        release,
        workload: w.name,
        pods: w.pods === "per-node" ? nodes : w.pods,
        daemonSet: w.pods === "per-node",
        cpuMilli: w.containers.reduce((sum, c) => sum + cpuMilli(c.cpu), 0),
        memoryMi: w.containers.reduce((sum, c) => sum + memoryMi(c.memory), 0),
    }));
    return {
        workloads,
        cpuMilli: workloads.reduce((a, w) => a + w.pods * w.cpuMilli, 0),
        memoryMi: workloads.reduce((a, w) => a + w.pods * w.memoryMi, 0),
    };
}

// Half-up to hundredths, as the cost estimate's exact arithmetic rounds: toFixed on 10.725 prints 10.72,
// because 10.725 has no exact binary form. Scaling first keeps the halves exact (x/10, x*25/256).
export const formatCpu = (milli: number) => `${(Math.round(milli / 10) / 100).toFixed(2)} CPU`;
export const formatMemory = (mi: number) => `${(Math.round((mi * 25) / 256) / 100).toFixed(2)} GiB`;
