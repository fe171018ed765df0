// Installs Argo CD on one cluster.
import type * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import { argoCdValues } from "./argocd";
import { RELEASES } from "../platform/services";

export function installGitOps(ctx: ClusterContext, monitoringCrds: k8s.helm.v3.Release): k8s.helm.v3.Release {
    return ctx.install({
        releaseName: RELEASES.argocd,
        namespace: ctx.settings.namespaces.gitops,
        chart: CHARTS.argoCd,
        timeoutSeconds: 600,
        values: argoCdValues(ctx.settings),
        // Argo CD's ServiceMonitors need the monitoring CRDs that kube-prometheus-stack installs.
        dependsOn: [monitoringCrds],
    });
}
