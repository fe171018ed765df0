// Logs and traces on one cluster: the stores on the hub, the collectors where signals are pushed from.
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterContext } from "../cluster/context";
import { pushTargets } from "../fleet/endpoints";
import { installLogCollection, installLoki } from "../logs/install";
import { installTempo, installTraceCollection } from "../traces/install";

/** `monitoringCrds`: kube-prometheus-stack, which installs the ServiceMonitor CRD these charts use. */
export function installLogsAndTraces(ctx: ClusterContext, monitoringCrds: k8s.helm.v3.Release): void {
    // Spokes: pushTargets has no cross-cluster endpoints yet (fleet work); deleting this line enables them.
    if (!ctx.isHub) return;
    const targets = pushTargets(ctx.settings, ctx.cluster);
    // Stores on the hub only; collectors everywhere, started after the stores they push to.
    const stores = ctx.isHub ? [installLoki(ctx, monitoringCrds), installTempo(ctx, targets, monitoringCrds)] : [];
    installLogCollection(ctx, targets, [monitoringCrds, ...stores]);
    installTraceCollection(ctx, targets, [monitoringCrds, ...stores]);
}
