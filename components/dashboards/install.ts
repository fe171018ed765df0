// Provisions the dashboards on the hub cluster: one ConfigMap per dashboard, which the Grafana
// sidecar of kube-prometheus-stack loads (by label) into the folder named by the annotation.
import * as k8s from "@pulumi/kubernetes";
import type { ClusterContext } from "../cluster/context";
import type { Settings } from "../config/schema";
import { MIMIR_REPLICATION_FACTOR } from "../config/long-term-rules";
import { lokiReplicationFactor } from "../logs/loki";
import { pushTargets } from "../fleet/endpoints";
import { grafanaDatasources } from "../grafana/datasources";
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_FOLDER_ANNOTATION } from "../metrics/kube-prometheus-stack";
import { platformDashboards } from "./catalog";
import type { DashboardInputs } from "./inputs";
import { dashboardJson, type DashboardDefinition } from "./kit";
import { componentsOfCharts } from "./platform-metrics";
import { sloDashboardSources, type DashboardSources } from "./slo-sources";

/** The services and SLOs that get dashboards: those of the SLO config (see slo-sources.ts). */
export function serviceSources(settings: Settings): DashboardSources {
    return sloDashboardSources(settings.slos);
}

/** Dashboard inputs on the hub, given the charts installed on it so far ("chart@version" values). */
export function hubDashboardInputs(ctx: ClusterContext, installed: Readonly<Record<string, string>>): DashboardInputs {
    const { settings } = ctx;
    return {
        ...serviceSources(settings),
        platform: {
            components: componentsOfCharts(Object.values(installed).map((c) => c.slice(0, c.lastIndexOf("@")))),
            prometheusRemoteWrite: pushTargets(settings, ctx.cluster).metricsRemoteWrite !== null,
            namespaces: [...new Set(Object.values(settings.namespaces))].sort(),
        },
        datasourceUids: new Set(grafanaDatasources(settings).map((d) => d.uid)),
        limits: {
            alertAtPercent: settings.limits.alertAtPercent,
            loki: {
                ingestionRateMb: settings.limits.logs.ingestionRateMb,
                maxStreams: settings.limits.logs.maxGlobalStreamsPerTenant,
                replicationFactor: lokiReplicationFactor(settings),
            },
            ...(settings.metricsBackend === "mimir" ? { mimir: { maxSeries: settings.mimir.maxGlobalSeriesPerTenant, replicationFactor: MIMIR_REPLICATION_FACTOR } } : {}),
        },
    };
}

const MAX_CONFIGMAP_BYTES = 1_000_000;

/** The ConfigMap that carries one dashboard (name <= 63 characters: uids are <= 40). */
export function dashboardConfigMap(definition: DashboardDefinition, namespace: string) {
    const json = dashboardJson(definition);
    // A ConfigMap holds at most 1 MiB; fail at plan time rather than at apply time.
    if (Buffer.byteLength(json) > MAX_CONFIGMAP_BYTES) {
        throw new Error(`dashboard ${definition.uid} is ${Buffer.byteLength(json)} bytes, over a ConfigMap's ${MAX_CONFIGMAP_BYTES}`);
    }
    return {
        metadata: {
            name: `grafana-dashboard-${definition.uid}`,
            namespace,
            labels: { [GRAFANA_DASHBOARD_LABEL]: "1", "app.kubernetes.io/part-of": "observability-platform" },
            annotations: { [GRAFANA_FOLDER_ANNOTATION]: definition.folder },
        },
        data: { [`${definition.uid}.json`]: json },
    };
}

/**
 * Call after every other release on the cluster is installed: the platform-health dashboard shows
 * the components whose charts are in `installed`. Does nothing on spokes (Grafana runs on the hub).
 */
export function installDashboards(ctx: ClusterContext, installed: Readonly<Record<string, string>>): k8s.core.v1.ConfigMap[] {
    if (!ctx.isHub) return [];
    const monitoring = ctx.namespaces[ctx.settings.namespaces.monitoring];
    return platformDashboards(hubDashboardInputs(ctx, installed)).map((definition) => {
        const spec = dashboardConfigMap(definition, ctx.settings.namespaces.monitoring);
        return new k8s.core.v1.ConfigMap(
            `${ctx.cluster.name}-dashboard-${definition.uid}`,
            { ...spec, metadata: { ...spec.metadata, namespace: monitoring.metadata.name } },
            ctx.opts,
        );
    });
}
