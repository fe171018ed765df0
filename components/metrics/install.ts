// Installs the metrics pillar on one cluster: kube-prometheus-stack with its Grafana.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { KSA_NAMES } from "../gcp/stores";
import { withCorrelations } from "../dashboards/correlation-datasources";
import { grafanaDatasources } from "../grafana/datasources";
import { GRAFANA_ADMIN_SECRET_KEYS, kubePrometheusStackValues } from "./kube-prometheus-stack";

const GRAFANA_ADMIN_SECRET = "grafana-admin";

export interface MetricsInstallation {
    kubePrometheusStack: k8s.helm.v3.Release;
    grafanaAdminPassword: pulumi.Output<string>;
}

export function installMetrics(ctx: ClusterContext): MetricsInstallation {
    const { settings, cluster } = ctx;
    const monitoring = settings.namespaces.monitoring;

    const adminPassword = new random.RandomPassword(
        `${cluster.name}-grafana-admin-password`,
        { length: 32, special: false },
        { parent: ctx.opts.parent },
    );
    const grafanaAdminPassword = pulumi.secret(adminPassword.result);
    // Handed to Grafana as an existing Secret, so the password is never part of the Helm values.
    const adminSecret = new k8s.core.v1.Secret(
        `${cluster.name}-grafana-admin`,
        {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: ctx.namespaces[monitoring].metadata.name },
            type: "Opaque",
            stringData: {
                [GRAFANA_ADMIN_SECRET_KEYS.user]: "admin",
                [GRAFANA_ADMIN_SECRET_KEYS.password]: grafanaAdminPassword,
            },
        },
        ctx.opts,
    );

    // With Thanos, Prometheus runs as the platform's Workload Identity account (see gcp/stores).
    const prometheusAccount = ctx.workloadServiceAccounts.get(`${monitoring}/${KSA_NAMES.prometheus}`);
    const kubePrometheusStack = ctx.install({
        releaseName: "kube-prometheus-stack",
        namespace: monitoring,
        chart: CHARTS.kubePrometheusStack,
        timeoutSeconds: 900,
        values: kubePrometheusStackValues(settings, cluster, {
            storageClassName: ctx.storageClassName,
            grafanaAdminSecretName: GRAFANA_ADMIN_SECRET,
            // Dashboards: exemplar, trace-to-logs and log-to-trace links between the provisioned datasources.
            datasources: withCorrelations(grafanaDatasources(settings)),
        }),
        dependsOn: [adminSecret, ...(prometheusAccount ? [prometheusAccount] : [])],
    });
    return { kubePrometheusStack, grafanaAdminPassword };
}
