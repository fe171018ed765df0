// Everything the platform runs on one existing GKE cluster, through that cluster's own provider.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS } from "../charts/pins";
import { pinnedRelease } from "../charts/release";
import type { ClusterSettings, Settings } from "../config/schema";
import type { ObjectStorage } from "../gcp/object-storage";
import { KSA_NAMES, workloadIdentities } from "../gcp/stores";
import { argoCdValues } from "../gitops/argocd";
import { grafanaDatasources } from "../grafana/datasources";
import { gkeKubeconfig } from "../kubernetes/kubeconfig";
import { storageClassSpec } from "../kubernetes/storage-class";
import { GRAFANA_ADMIN_SECRET_KEYS, kubePrometheusStackValues } from "../metrics/kube-prometheus-stack";

export interface ClusterPlatformArgs {
    settings: Settings;
    cluster: ClusterSettings;
    storage: ObjectStorage;
}

const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** Helm release name to "chart@version", for outputs and the plan summary. */
export type ReleaseSummary = Record<string, string>;

export class ClusterPlatform extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    readonly storageClassName: pulumi.Output<string>;
    readonly grafanaAdminPassword: pulumi.Output<string>;
    readonly releases: ReleaseSummary;

    constructor(name: string, args: ClusterPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:cluster:ClusterPlatform", name, {}, opts);
        const { settings, cluster, storage } = args;
        const id = cluster.name;

        const gke = gcp.container.getClusterOutput(
            { name: cluster.name, location: cluster.location, project: cluster.project },
            { parent: this },
        );
        // Every bucket identity relies on Workload Identity; fail early and plainly without it.
        const kubeconfig = pulumi
            .all([gke.endpoint, gke.masterAuths, gke.workloadIdentityConfigs])
            .apply(([endpoint, auths, wi]) => {
                const pool = wi?.[0]?.workloadPool;
                if (pool !== `${cluster.project}.svc.id.goog`) {
                    throw new Error(
                        `GKE cluster ${cluster.name} (${cluster.location}, ${cluster.project}) has Workload Identity ` +
                            `${pool ? `pool ${pool}` : "disabled"}; enable it with pool ${cluster.project}.svc.id.goog.`,
                    );
                }
                return gkeKubeconfig({ name: `gke_${cluster.project}_${cluster.location}_${cluster.name}`, endpoint, caCertificate: auths[0].clusterCaCertificate });
            });
        this.provider = new k8s.Provider(`${id}-k8s`, { kubeconfig }, { parent: this });
        const on: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };

        const namespaces: Record<string, k8s.core.v1.Namespace> = {};
        for (const ns of [...new Set(Object.values(settings.namespaces))]) {
            namespaces[ns] = new k8s.core.v1.Namespace(
                `${id}-ns-${ns}`,
                { metadata: { name: ns, labels: { "app.kubernetes.io/part-of": "observability-platform" } } },
                on,
            );
        }
        const monitoring = namespaces[settings.namespaces.monitoring];
        const gitops = namespaces[settings.namespaces.gitops];

        const storageClass = new k8s.storage.v1.StorageClass(`${id}-storage-class`, storageClassSpec(settings), on);
        this.storageClassName = storageClass.metadata.name;

        // Kubernetes service accounts that act as a GCP service account on this cluster.
        // Keyed by "<namespace>/<name>", so each release waits for exactly the accounts it runs as.
        const serviceAccounts = new Map<string, k8s.core.v1.ServiceAccount>();
        for (const identity of workloadIdentities(settings)) {
            const email = storage.serviceAccountEmails[identity.component];
            if (!email) throw new Error(`no GCP service account for ${identity.component}`);
            for (const ksa of identity.kubernetesServiceAccounts.filter((k) => k.cluster === cluster.name)) {
                serviceAccounts.set(
                    `${ksa.namespace}/${ksa.name}`,
                    new k8s.core.v1.ServiceAccount(
                        `${id}-ksa-${ksa.namespace}-${ksa.name}`,
                        {
                            metadata: {
                                name: ksa.name,
                                namespace: namespaces[ksa.namespace].metadata.name,
                                annotations: { "iam.gke.io/gcp-service-account": email },
                            },
                        },
                        on,
                    ),
                );
            }
        }

        const adminPassword = new random.RandomPassword(
            `${id}-grafana-admin-password`,
            { length: 32, special: false },
            { parent: this },
        );
        this.grafanaAdminPassword = pulumi.secret(adminPassword.result);
        const adminSecret = new k8s.core.v1.Secret(
            `${id}-grafana-admin`,
            {
                metadata: { name: GRAFANA_ADMIN_SECRET, namespace: monitoring.metadata.name },
                type: "Opaque",
                stringData: {
                    [GRAFANA_ADMIN_SECRET_KEYS.user]: "admin",
                    [GRAFANA_ADMIN_SECRET_KEYS.password]: this.grafanaAdminPassword,
                },
            },
            on,
        );

        const kubePrometheusStack = pinnedRelease(
            `${id}-kube-prometheus-stack`,
            {
                releaseName: "kube-prometheus-stack",
                namespace: monitoring.metadata.name,
                chart: CHARTS.kubePrometheusStack,
                timeoutSeconds: 900,
                values: kubePrometheusStackValues(settings, cluster, {
                    storageClassName: storageClassSpec(settings).metadata.name,
                    grafanaAdminSecretName: GRAFANA_ADMIN_SECRET,
                    datasources: grafanaDatasources(settings),
                }),
            },
            {
                ...on,
                dependsOn: [
                    storageClass,
                    adminSecret,
                    ...[serviceAccounts.get(`${settings.namespaces.monitoring}/${KSA_NAMES.prometheus}`)].filter(
                        (sa): sa is k8s.core.v1.ServiceAccount => sa !== undefined,
                    ),
                ],
            },
        );

        // Argo CD's ServiceMonitors need the monitoring CRDs that kube-prometheus-stack installs.
        pinnedRelease(
            `${id}-argocd`,
            {
                releaseName: "argocd",
                namespace: gitops.metadata.name,
                chart: CHARTS.argoCd,
                timeoutSeconds: 600,
                values: argoCdValues(settings),
            },
            { ...on, dependsOn: [kubePrometheusStack] },
        );

        this.releases = {
            "kube-prometheus-stack": `${CHARTS.kubePrometheusStack.chart}@${CHARTS.kubePrometheusStack.version}`,
            argocd: `${CHARTS.argoCd.chart}@${CHARTS.argoCd.version}`,
        };
        this.registerOutputs({ storageClassName: this.storageClassName, releases: this.releases });
    }
}
