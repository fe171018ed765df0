// Installs the logs pillar on one cluster: Loki on the hub, Alloy where logs are collected.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { KSA_NAMES } from "../gcp/stores";
import type { PushTargets } from "../fleet/endpoints";
import { alloyValues } from "./alloy";
import { lokiValues } from "./loki";

/** Loki (hub only). `monitoringCrds`: the release that installs the ServiceMonitor CRD. */
export function installLoki(ctx: ClusterContext, monitoringCrds: k8s.helm.v3.Release): k8s.helm.v3.Release {
    const { settings, cluster } = ctx;
    const ns = settings.namespaces.logging;
    const account = ctx.workloadServiceAccounts.get(`${ns}/${KSA_NAMES.loki}`);
    const longTerm = settings.tier === "long-term";
    if (longTerm && !account) throw new Error(`no Workload Identity service account ${ns}/${KSA_NAMES.loki} on ${cluster.name}`);
    return ctx.install({
        releaseName: "loki",
        namespace: ns,
        chart: CHARTS.loki,
        timeoutSeconds: 900,
        values: lokiValues(settings, cluster, {
            storageClassName: ctx.storageClassName,
            objectStorage: longTerm
                ? {
                      chunksBucket: ctx.storage.bucketNames["loki-chunks"],
                      rulerBucket: ctx.storage.bucketNames["loki-ruler"],
                      serviceAccountName: KSA_NAMES.loki,
                  }
                : undefined,
        }),
        dependsOn: [monitoringCrds, ...(account ? [account] : [])],
    });
}

/** Alloy log collection, pushing to `targets`. */
export function installLogCollection(
    ctx: ClusterContext,
    targets: PushTargets,
    dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
    return ctx.install({
        releaseName: "alloy-logs",
        namespace: ctx.settings.namespaces.logging,
        chart: CHARTS.alloy,
        timeoutSeconds: 600,
        values: alloyValues(ctx.settings, ctx.cluster, targets),
        dependsOn: [...dependsOn],
    });
}
