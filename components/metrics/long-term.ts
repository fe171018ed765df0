// Installs the long-term metrics store on the hub (Mimir or Thanos), with Mimir the Alloy that loads
// the ruler's PrometheusRules into it, and with Thanos the bucket configuration every cluster's
// sidecar (and the hub's Thanos Ruler) uploads with.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { KSA_NAMES } from "../gcp/stores";
import { mimirValues } from "./mimir";
import { mimirRulesSyncValues } from "./mimir-rules";
import { evaluates } from "../platform/model";
import { RELEASES } from "../platform/services";
import { THANOS_OBJSTORE_SECRET, thanosObjstoreConfig, thanosValues } from "./thanos";

const bucket = (ctx: ClusterContext, key: string): pulumi.Output<string> => {
    const name = ctx.storage.bucketNames[key];
    if (!name) throw new Error(`the ${ctx.settings.metricsBackend} backend needs the bucket ${key}, which the GCP layer did not create`);
    return name;
};

/** Resources kube-prometheus-stack must wait for on this cluster (the Thanos sidecar's bucket config, where the model lists it). */
export function prepareMetricsShipping(ctx: ClusterContext): pulumi.Resource[] {
    if (!ctx.model.secrets.some((s) => s.name === THANOS_OBJSTORE_SECRET.name)) return [];
    const secret = ctx.secret(`${ctx.cluster.name}-thanos-objstore`, {
        name: THANOS_OBJSTORE_SECRET.name,
        namespace: ctx.settings.namespaces.monitoring,
        type: "Opaque",
        stringData: { [THANOS_OBJSTORE_SECRET.key]: bucket(ctx, "thanos-blocks").apply(thanosObjstoreConfig) },
    });
    return [secret];
}

/** On the hub: the store, after kube-prometheus-stack (whose CRDs its ServiceMonitors need). */
export function installLongTermStore(ctx: ClusterContext, after: pulumi.Resource[]): k8s.helm.v3.Release | undefined {
    const { settings } = ctx;
    const monitoring = settings.namespaces.monitoring;
    if (ctx.runs(RELEASES.mimir)) {
        const account = ctx.workloadServiceAccounts.get(`${monitoring}/${KSA_NAMES.mimir}`);
        if (!account) throw new Error("Mimir needs the platform's mimir Kubernetes service account on the hub");
        const mimir = ctx.install({
            releaseName: RELEASES.mimir,
            namespace: monitoring,
            chart: CHARTS.mimirDistributed,
            timeoutSeconds: 1200,
            values: mimirValues(settings, {
                storageClassName: ctx.storageClassName,
                buckets: {
                    blocks: bucket(ctx, "mimir-blocks"),
                    ruler: bucket(ctx, "mimir-ruler"),
                    alertmanager: bucket(ctx, "mimir-alertmanager"),
                },
            }),
            dependsOn: [account, ...after],
        });
        // The SLO rules are Mimir's ruler's: Alloy loads them once the ruler exists.
        if (ctx.runs(RELEASES.mimirRulesSync)) {
            ctx.install({
                releaseName: RELEASES.mimirRulesSync,
                namespace: monitoring,
                chart: CHARTS.alloy,
                timeoutSeconds: 300,
                values: mimirRulesSyncValues(settings, ctx.cluster),
                dependsOn: [mimir],
            });
        }
        return mimir;
    }
    if (!ctx.runs(RELEASES.thanos)) return undefined;
    const accounts = [KSA_NAMES.thanosCompactor, KSA_NAMES.thanosStoreGateway].map((name) => {
        const account = ctx.workloadServiceAccounts.get(`${monitoring}/${name}`);
        if (!account) throw new Error(`Thanos needs the platform's ${name} Kubernetes service account on the hub`);
        return account;
    });
    return ctx.install({
        releaseName: RELEASES.thanos,
        namespace: monitoring,
        chart: CHARTS.thanos,
        timeoutSeconds: 900,
        values: thanosValues(settings, { storageClassName: ctx.storageClassName, ruler: evaluates(ctx.model, "thanos-ruler") }),
        dependsOn: [...accounts, ...after],
    });
}
