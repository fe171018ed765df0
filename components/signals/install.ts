// Logs and traces on one cluster: the stores on the hub, the collectors where signals are pushed from.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../cluster/context";
import { RELEASES } from "../platform/services";
import { installEventCollection, installLogAlertRules, installLogCollection, installLoki } from "../logs/install";
import { installTempo, installTraceCollection } from "../traces/install";

/**
 * `monitoringCrds`: kube-prometheus-stack, which installs the ServiceMonitor CRD these charts use.
 * `collectorsAfter`: what the collectors need first on a spoke (the hub credentials' Secrets).
 */
export function installLogsAndTraces(
    ctx: ClusterContext,
    monitoringCrds: k8s.helm.v3.Release,
    collectorsAfter: readonly pulumi.Resource[],
): void {
    const targets = ctx.model.signals;
    // Stores where the model runs them (the hub); collectors everywhere, started after the stores they push to.
    const stores = [
        ...(ctx.runs(RELEASES.loki) ? [installLoki(ctx, monitoringCrds)] : []),
        ...(ctx.runs(RELEASES.tempo) ? [installTempo(ctx, targets, monitoringCrds)] : []),
    ];
    // Loki's ruler reads its rules where Loki runs.
    if (ctx.runs(RELEASES.loki)) installLogAlertRules(ctx);
    const after = [monitoringCrds, ...stores, ...collectorsAfter];
    installLogCollection(ctx, targets, after);
    installEventCollection(ctx, targets, after);
    installTraceCollection(ctx, targets, after);
}
