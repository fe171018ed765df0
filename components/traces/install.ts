// Installs the traces pillar on one cluster: Tempo on the hub, the gateway collector, the operator
// and the platform's Instrumentation.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { hasBuckets, KSA_NAMES } from "../gcp/stores";
import type { PushTargets } from "../fleet/endpoints";
import { instrumentation, otelOperatorValues } from "./otel-operator";
import { otelGatewayValues } from "./otel-gateway";
import { tempoValues } from "./tempo";
import { RELEASES } from "../platform/services";

/** Tempo (hub only). */
export function installTempo(ctx: ClusterContext, targets: PushTargets, monitoringCrds: k8s.helm.v3.Release): k8s.helm.v3.Release {
    const { settings, cluster } = ctx;
    const ns = settings.namespaces.tracing;
    const account = ctx.workloadServiceAccounts.get(`${ns}/${KSA_NAMES.tempo}`);
    // The stack's buckets decide where Tempo keeps its blocks, not its tier.
    const longTerm = hasBuckets(settings, "tempo");
    if (longTerm && !account) throw new Error(`no Workload Identity service account ${ns}/${KSA_NAMES.tempo} on ${cluster.name}`);
    return ctx.install({
        releaseName: RELEASES.tempo,
        namespace: ns,
        chart: CHARTS.tempo,
        timeoutSeconds: 600,
        values: tempoValues(settings, cluster, targets, {
            storageClassName: ctx.storageClassName,
            objectStorage: longTerm
                ? { tracesBucket: ctx.storage.bucketNames["tempo-traces"], serviceAccountName: KSA_NAMES.tempo }
                : undefined,
        }),
        dependsOn: [monitoringCrds, ...(account ? [account] : [])],
    });
}

/** The gateway collector, the operator and the Instrumentation, exporting to `targets`. */
export function installTraceCollection(
    ctx: ClusterContext,
    targets: PushTargets,
    dependsOn: readonly pulumi.Resource[],
): { gateway: k8s.helm.v3.Release; operator: k8s.helm.v3.Release } {
    const { settings, cluster } = ctx;
    const ns = settings.namespaces.tracing;
    const gateway = ctx.install({
        releaseName: RELEASES.otelGateway,
        namespace: ns,
        chart: CHARTS.opentelemetryCollector,
        timeoutSeconds: 600,
        values: otelGatewayValues(settings, cluster, targets),
        dependsOn: [...dependsOn],
    });
    const operator = ctx.install({
        releaseName: RELEASES.otelOperator,
        namespace: ns,
        chart: CHARTS.opentelemetryOperator,
        timeoutSeconds: 600,
        values: otelOperatorValues(settings),
        dependsOn: [...dependsOn],
    });
    const cr = instrumentation(settings, cluster);
    // Created once the operator (its CRD and validating webhook) is ready.
    new k8s.apiextensions.CustomResource(
        `${cluster.name}-instrumentation-${cr.metadata.name}`,
        { apiVersion: cr.apiVersion, kind: cr.kind, metadata: cr.metadata, spec: cr.spec },
        { ...ctx.opts, dependsOn: [operator, gateway, ctx.namespaces[ns]] },
    );
    return { gateway, operator };
}
