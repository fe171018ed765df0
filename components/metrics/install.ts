// Installs the metrics pillar on one cluster: kube-prometheus-stack (with Grafana on the hub), the
// application scrape targets placed on it and, where it is on, annotation discovery.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { KSA_NAMES } from "../gcp/stores";
import { grafanaDatasources } from "../grafana/datasources";
import { installGrafanaExposure } from "../grafana/exposure";
import { GRAFANA_ADMIN_SECRET_KEYS, kubePrometheusStackValues } from "./kube-prometheus-stack";
import { installLongTermStore, prepareMetricsShipping } from "./long-term";
import { scrapeMonitors, undeclaredSloJobWarnings } from "./scrape-targets";
import { annotationScrapeConfig } from "./scrape-annotations";
import { installRedisExporters } from "./redis-exporter";
import { installProbes } from "./blackbox-exporter";
import { RELEASES } from "../platform/services";
import { evaluates, GRAFANA_ADMIN_SECRET } from "../platform/model";


export interface MetricsInstallation {
    kubePrometheusStack: k8s.helm.v3.Release;
    /** Only the hub runs Grafana. */
    grafanaAdminPassword: pulumi.Output<string> | undefined;
    /** The hub's long-term store, when the stack has one. */
    longTermStore: k8s.helm.v3.Release | undefined;
}

/** `collectorsAfter`: Secrets the collectors need first (a spoke's fleet credentials). */
export function installMetrics(ctx: ClusterContext, collectorsAfter: pulumi.Resource[] = []): MetricsInstallation {
    const { settings, cluster } = ctx;
    const monitoring = settings.namespaces.monitoring;

    // Spokes collect only: no Grafana, so no admin password either.
    const admin = ctx.isHub ? grafanaAdmin(ctx) : undefined;
    const shippingAfter = prepareMetricsShipping(ctx);
    // The load balancer's backend settings exist before Grafana's Service names them.
    const exposureAfter = ctx.isHub ? installGrafanaExposure(ctx) : [];

    // With Thanos, Prometheus (its sidecar) and the hub's Thanos Ruler, when it has rules, run as
    // Kubernetes service accounts of the uploader Workload Identity account (see gcp/stores).
    const prometheusAccount = ctx.workloadServiceAccounts.get(`${monitoring}/${KSA_NAMES.prometheus}`);
    const thanosRuler = evaluates(ctx.model, "thanos-ruler");
    const rulerAccount = thanosRuler ? ctx.workloadServiceAccounts.get(`${monitoring}/${KSA_NAMES.thanosRuler}`) : undefined;
    const kubePrometheusStack = ctx.install({
        releaseName: RELEASES.kubePrometheusStack,
        namespace: monitoring,
        chart: CHARTS.kubePrometheusStack,
        timeoutSeconds: 900,
        values: kubePrometheusStackValues(settings, cluster, {
            storageClassName: ctx.storageClassName,
            grafanaAdminSecretName: GRAFANA_ADMIN_SECRET,
            datasources: grafanaDatasources(settings),
            thanosRuler,
        }),
        dependsOn: [
            ...(admin ? [admin.secret] : []),
            ...(prometheusAccount ? [prometheusAccount] : []),
            ...(rulerAccount ? [rulerAccount] : []),
            ...shippingAfter,
            ...exposureAfter,
            ...collectorsAfter,
        ],
    });
    const longTermStore = installLongTermStore(ctx, [kubePrometheusStack]);
    installScrapeTargets(ctx, kubePrometheusStack);
    installRedisExporters(ctx, kubePrometheusStack);
    if (ctx.runs(RELEASES.blackboxExporter)) installProbes(ctx, kubePrometheusStack);
    return { kubePrometheusStack, grafanaAdminPassword: admin?.password, longTermStore };
}

/** The application targets placed on this cluster (each entry's `clusters`, the hub by default), and annotation discovery. */
function installScrapeTargets(ctx: ClusterContext, kubePrometheusStack: pulumi.Resource): void {
    if (ctx.isHub) for (const warning of undeclaredSloJobWarnings(ctx.settings)) pulumi.log.warn(warning, ctx.opts.parent);
    for (const monitor of scrapeMonitors(ctx.settings, ctx.cluster.name)) {
        new k8s.apiextensions.CustomResource(
            `${ctx.cluster.name}-scrape-${monitor.metadata.name}`,
            monitor,
            // The ServiceMonitor and PodMonitor CRDs come with kube-prometheus-stack.
            { ...ctx.opts, dependsOn: [kubePrometheusStack] },
        );
    }
    const discovery = annotationScrapeConfig(ctx.settings, ctx.cluster.name);
    if (discovery) {
        new k8s.apiextensions.CustomResource(`${ctx.cluster.name}-annotation-discovery`, discovery, {
            ...ctx.opts,
            // The ScrapeConfig CRD, and the monitoring namespace, come with kube-prometheus-stack.
            dependsOn: [kubePrometheusStack],
        });
    }
}

function grafanaAdmin(ctx: ClusterContext): { secret: k8s.core.v1.Secret; password: pulumi.Output<string> } {
    const { settings, cluster } = ctx;
    const monitoring = settings.namespaces.monitoring;
    const adminPassword = new random.RandomPassword(
        `${cluster.name}-grafana-admin-password`,
        { length: 32, special: false },
        { parent: ctx.opts.parent },
    );
    const password = pulumi.secret(adminPassword.result);
    // Handed to Grafana as an existing Secret, so the password is never part of the Helm values.
    const secret = ctx.secret(`${cluster.name}-grafana-admin`, {
        name: GRAFANA_ADMIN_SECRET,
        namespace: monitoring,
        type: "Opaque",
        stringData: {
            [GRAFANA_ADMIN_SECRET_KEYS.user]: "admin",
            [GRAFANA_ADMIN_SECRET_KEYS.password]: password,
        },
    });

    return { secret, password };
}
