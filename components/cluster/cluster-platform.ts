// Everything the platform runs on one existing GKE cluster, through that cluster's own provider.
import * as container from "@pulumi/gcp/container";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../charts/pins";
import type { ClusterSettings, Settings } from "../config/schema";
import type { FleetCredentials } from "../fleet/credentials";
import { installFleetLink } from "../fleet/install";
import { installDashboards } from "../dashboards/install";
import type { ObjectStorage } from "../gcp/object-storage";
import { installGitOps } from "../gitops/install";
import { gkeKubeconfig } from "../kubernetes/kubeconfig";
import { storageClassSpec } from "../kubernetes/storage-class";
import { namespacePodSecurityLevel, podSecurityLabels } from "../kubernetes/pod-security";
import { installMetrics } from "../metrics/install";
import { installSre } from "../sre/install";
import { installLogsAndTraces } from "../signals/install";
import { ModelLedger, releaseInstaller, secretCreator, type ClusterContext } from "./context";
import type { ClusterModel } from "../platform/model";
import { networkPolicies } from "./network-policies";

export interface ClusterPlatformArgs {
    settings: Settings;
    cluster: ClusterSettings;
    storage: ObjectStorage;
    /** This cluster's part of the platform model. */
    model: ClusterModel;
    /** The fleet's generated TLS material and spoke credentials; undefined without spokes. */
    fleet?: FleetCredentials;
}

export class ClusterPlatform extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    readonly storageClassName: pulumi.Output<string>;
    /** Only the hub runs Grafana. */
    readonly grafanaAdminPassword: pulumi.Output<string> | undefined;
    /** Helm release name -> "chart@version". */
    readonly releases: Readonly<Record<string, string>>;

    constructor(name: string, args: ClusterPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:cluster:ClusterPlatform", name, {}, opts);
        const { settings, cluster, storage } = args;
        const id = cluster.name;

        this.provider = new k8s.Provider(`${id}-k8s`, { kubeconfig: clusterKubeconfig(cluster, this) }, { parent: this });
        const on: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };

        const namespaces: Record<string, k8s.core.v1.Namespace> = {};
        for (const ns of [...new Set(Object.values(settings.namespaces))]) {
            namespaces[ns] = new k8s.core.v1.Namespace(
                `${id}-ns-${ns}`,
                {
                    metadata: {
                        name: ns,
                        labels: {
                            "app.kubernetes.io/part-of": "observability-platform",
                            // Admission refuses pods beyond the level this namespace's own pods need.
                            ...podSecurityLabels(namespacePodSecurityLevel(settings, ns)),
                        },
                    },
                },
                // Created on clusters that already run the users' things, maybe in these very
                // namespaces (an adopted release's): destroying the stack leaves them in place.
                { ...on, retainOnDelete: true },
            );
        }

        // Default-deny ingress in each platform namespace, with the flows the platform needs.
        for (const policy of networkPolicies(settings, cluster)) {
            const { name, namespace } = policy.metadata;
            new k8s.networking.v1.NetworkPolicy(
                `${id}-netpol-${namespace}-${name}`,
                { ...policy, metadata: { ...policy.metadata, namespace: namespaces[namespace].metadata.name } },
                on,
            );
        }

        const storageClass = new k8s.storage.v1.StorageClass(`${id}-storage-class`, storageClassSpec(settings), on);
        this.storageClassName = storageClass.metadata.name;

        // Kubernetes service accounts that act as a GCP service account on this cluster.
        const workloadServiceAccounts = new Map<string, k8s.core.v1.ServiceAccount>();
        for (const ksa of args.model.serviceAccounts) {
            const email = storage.serviceAccountEmails[ksa.identity];
            if (!email) throw new Error(`no GCP service account for ${ksa.identity}`);
            workloadServiceAccounts.set(
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

        const releases: Record<string, string> = {};
        const ledger = new ModelLedger(cluster.name, args.model);
        const ctx: ClusterContext = {
            settings,
            cluster,
            model: args.model,
            runs: (release) => args.model.releases.some((r) => r.release === release),
            isHub: args.model.role === "hub",
            opts: on,
            namespaces,
            storageClassName: storageClassSpec(settings).metadata.name,
            workloadServiceAccounts,
            storage,
            // Every release waits for the StorageClass its volumes are provisioned from.
            install: releaseInstaller(cluster, ledger, on, [storageClass], namespaces, (release: string, chart: ChartPin) => {
                releases[release] = `${chart.chart}@${chart.version}`;
            }),
            secret: secretCreator(ledger, on, namespaces),
        };

        const fleet = installFleetLink(ctx, args.fleet);
        const metrics = installMetrics(ctx, fleet.collectorsAfter);
        installGitOps(ctx, metrics.kubePrometheusStack);
        installSre(ctx, metrics.kubePrometheusStack);
        installLogsAndTraces(ctx, metrics.kubePrometheusStack, fleet.collectorsAfter);
        installDashboards(ctx);
        const missing = ledger.missing();
        if (missing.length > 0) throw new Error(`the platform model lists ${missing.join(", ")} on ${cluster.name}, which nothing installed or created`);

        this.grafanaAdminPassword = metrics.grafanaAdminPassword;
        this.releases = releases;
        this.registerOutputs({ storageClassName: this.storageClassName, releases: this.releases });
    }
}

/** Looks the cluster up and builds its kubeconfig; fails plainly without Workload Identity. */
function clusterKubeconfig(cluster: ClusterSettings, parent: pulumi.Resource): pulumi.Output<string> {
    const gke = container.getClusterOutput(
        { name: cluster.name, location: cluster.location, project: cluster.project },
        { parent },
    );
    return pulumi.all([gke.endpoint, gke.masterAuths, gke.workloadIdentityConfigs]).apply(([endpoint, auths, wi]) => {
        const pool = wi?.[0]?.workloadPool;
        if (pool !== `${cluster.project}.svc.id.goog`) {
            throw new Error(
                `GKE cluster ${cluster.name} (${cluster.location}, ${cluster.project}) has Workload Identity ` +
                    `${pool ? `pool ${pool}` : "disabled"}; every bucket identity needs it: enable it with ` +
                    `--workload-pool=${cluster.project}.svc.id.goog.`,
            );
        }
        return gkeKubeconfig({
            name: `gke_${cluster.project}_${cluster.location}_${cluster.name}`,
            endpoint,
            caCertificate: auths[0].clusterCaCertificate,
        });
    });
}
