// Provisions the dashboards on the hub cluster: one ConfigMap per dashboard, which the Grafana
// sidecar of kube-prometheus-stack loads (by label) into the folder named by the annotation.
import * as k8s from "@pulumi/kubernetes";
import type { ClusterContext } from "../cluster/context";
import type { Settings } from "../config/schema";
import { MIMIR_REPLICATION_FACTOR } from "../config/long-term-rules";
import { lokiReplicationFactor } from "../logs/loki";
import { grafanaDatasources } from "../grafana/datasources";
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_FOLDER_ANNOTATION } from "../metrics/kube-prometheus-stack";
import { RELEASES } from "../platform/services";
import { platformDashboards } from "./catalog";
import type { DashboardInputs } from "./inputs";
import { dashboardJson, type DashboardDefinition } from "./kit";
import { componentsOfCharts } from "./platform-metrics";
import { sloDashboardSources, type DashboardSources } from "./slo-sources";

/** The services and SLOs that get dashboards: those of the SLO config (see slo-sources.ts). */
export function serviceSources(settings: Settings): DashboardSources {
    return sloDashboardSources(settings.slos);
}

/** Dashboard inputs on the hub: the components of the charts its model lists. */
function hubDashboardInputs(ctx: ClusterContext): DashboardInputs {
    const { settings } = ctx;
    return {
        ...serviceSources(settings),
        platform: {
            components: componentsOfCharts(ctx.model.releases.map((r) => r.chart.chart)),
            prometheusRemoteWrite: ctx.model.signals.metricsRemoteWrite !== null,
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
            // Mimir's per-tenant limits, on the hub that runs it.
            ...(ctx.runs(RELEASES.mimir) ? { mimir: { maxSeries: settings.mimir.maxGlobalSeriesPerTenant, replicationFactor: MIMIR_REPLICATION_FACTOR } } : {}),
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
 * The dashboards of the hub (Grafana runs there; nothing on spokes): the platform-health dashboard
 * shows the components of the hub's releases in the model.
 */
export function installDashboards(ctx: ClusterContext): k8s.core.v1.ConfigMap[] {
    if (!ctx.isHub) return [];
    const monitoring = ctx.namespaces[ctx.settings.namespaces.monitoring];
    return platformDashboards(hubDashboardInputs(ctx)).map((definition) => {
        const spec = dashboardConfigMap(definition, ctx.settings.namespaces.monitoring);
        return new k8s.core.v1.ConfigMap(
            `${ctx.cluster.name}-dashboard-${definition.uid}`,
            { ...spec, metadata: { ...spec.metadata, namespace: monitoring.metadata.name } },
            ctx.opts,
        );
    });
}
