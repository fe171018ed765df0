// Installs the logs pillar on one cluster: Loki on the hub, Alloy where logs are collected.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { hasBuckets, KSA_NAMES } from "../gcp/stores";
import type { PushTargets } from "../fleet/endpoints";
import { alloyEventsValues, alloyValues } from "./alloy";
import { RELEASES } from "../platform/services";
import { lokiRulesConfigMap } from "./log-alerts";
import { lokiValues } from "./loki";

/** Loki (hub only). `monitoringCrds`: the release that installs the ServiceMonitor CRD. */
export function installLoki(ctx: ClusterContext, monitoringCrds: k8s.helm.v3.Release): k8s.helm.v3.Release {
    const { settings, cluster } = ctx;
    const ns = settings.namespaces.logging;
    const account = ctx.workloadServiceAccounts.get(`${ns}/${KSA_NAMES.loki}`);
    // The stack's buckets decide where Loki keeps its chunks, not its tier.
    const longTerm = hasBuckets(settings, "loki");
    if (longTerm && !account) throw new Error(`no Workload Identity service account ${ns}/${KSA_NAMES.loki} on ${cluster.name}`);
    return ctx.install({
        releaseName: RELEASES.loki,
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

/** The log alert rules (hub only), which the Loki release's rules sidecar loads into the ruler. */
export function installLogAlertRules(ctx: ClusterContext): k8s.core.v1.ConfigMap {
    const cm = lokiRulesConfigMap(ctx.settings);
    const ns = ctx.namespaces[ctx.settings.namespaces.logging];
    return new k8s.core.v1.ConfigMap(
        `${ctx.cluster.name}-${cm.metadata.name}`,
        { metadata: { ...cm.metadata, namespace: ns.metadata.name }, data: cm.data },
        ctx.opts,
    );
}

/** Alloy log collection, pushing to `targets`. */
export function installLogCollection(
    ctx: ClusterContext,
    targets: PushTargets,
    dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
    return ctx.install({
        releaseName: RELEASES.alloyLogs,
        namespace: ctx.settings.namespaces.logging,
        chart: CHARTS.alloy,
        timeoutSeconds: 600,
        values: alloyValues(ctx.settings, ctx.cluster, targets),
        dependsOn: [...dependsOn],
    });
}

/** The events Alloy: one replica per cluster, pushing to `targets` like the log DaemonSet. */
export function installEventCollection(
    ctx: ClusterContext,
    targets: PushTargets,
    dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
    return ctx.install({
        releaseName: RELEASES.alloyEvents,
        namespace: ctx.settings.namespaces.logging,
        chart: CHARTS.alloy,
        timeoutSeconds: 600,
        values: alloyEventsValues(ctx.settings, ctx.cluster, targets),
        dependsOn: [...dependsOn],
    });
}
