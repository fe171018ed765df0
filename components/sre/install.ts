// Installs the SRE layer on one cluster: the Alertmanager configuration as a Kubernetes Secret (it
// holds the receivers' secrets) and the rules as PrometheusRule resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterContext } from "../cluster/context";
import type { Settings } from "../config/schema";
import { ALERTMANAGER_CONFIG_SECRET, alertmanagerConfig, missingReceiverWarnings, type ReceiverSecrets } from "./alertmanager-config";
import { platformAlertGroups } from "./platform-alerts";
import type { RuleGroup } from "./rules";
import { readAlertingSecrets, type AlertingSecrets, type SecretConfigKey } from "./secrets";
import { serviceSloGroups } from "./slo-rules";

/** Annotation on that Secret naming the secret config keys it was rendered with (names only). */
export const SECRET_KEYS_ANNOTATION = "observability-platform/secret-config-keys";
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

export interface PrometheusRuleSpec {
    /** Kubernetes object name. */
    name: string;
    groups: RuleGroup[];
}

export const yamlText = (value: unknown): string => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** Grafana's external URL, when users can reach it (links in alerts). */
export function grafanaUrl(settings: Settings): string | undefined {
    const ingress = settings.grafana.ingress;
    return settings.alerting.grafanaUrl?.replace(/\/+$/, "") ?? (ingress.enabled && ingress.host ? `https://${ingress.host}` : undefined);
}

/** Every PrometheusRule one cluster gets: one per service with SLOs, and the platform's own alerts. */
export function prometheusRules(settings: Settings, cluster: string): PrometheusRuleSpec[] {
    const ctx = { cluster, grafanaUrl: grafanaUrl(settings) };
    return [
        ...settings.slos.map((s) => ({ name: `slo-${s.service}`, groups: serviceSloGroups(s, ctx) })),
        { name: "platform-self-monitoring", groups: platformAlertGroups(settings, cluster) },
    ];
}

export function installSre(
    ctx: ClusterContext,
    kubePrometheusStack: pulumi.Resource,
    secrets: AlertingSecrets = readAlertingSecrets(),
): void {
    const { settings, cluster } = ctx;
    const monitoring = ctx.namespaces[settings.namespaces.monitoring].metadata.name;

    const configured = (Object.keys(secrets) as SecretConfigKey[]).sort();
    // Every cluster's Alertmanager gets the same receivers: warn once, on the hub.
    if (ctx.isHub) {
        for (const warning of missingReceiverWarnings(new Set(configured), settings)) pulumi.log.warn(warning, ctx.opts.parent);
    }
    const values = configured.map((k) => secrets[k] as pulumi.Output<string>);
    const configYaml = pulumi.all(values).apply((plain) => {
        const receiverSecrets: ReceiverSecrets = Object.fromEntries(configured.map((k, i) => [k, plain[i]]));
        return yamlText(alertmanagerConfig(settings, receiverSecrets));
    });
    new k8s.core.v1.Secret(
        `${cluster.name}-alertmanager-config`,
        {
            metadata: {
                name: ALERTMANAGER_CONFIG_SECRET,
                namespace: monitoring,
                annotations: { [SECRET_KEYS_ANNOTATION]: configured.join(",") },
            },
            type: "Opaque",
            // The rendered file carries the receivers' keys and URLs: a secret end to end.
            stringData: { "alertmanager.yaml": configured.length > 0 ? pulumi.secret(configYaml) : configYaml },
        },
        ctx.opts,
    );

    for (const rule of prometheusRules(settings, cluster.name)) {
        new k8s.apiextensions.CustomResource(
            `${cluster.name}-${rule.name}`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name: rule.name,
                    namespace: monitoring,
                    labels: { "app.kubernetes.io/part-of": "observability-platform" },
                },
                spec: { groups: rule.groups },
            },
            // The PrometheusRule CRD comes with kube-prometheus-stack.
            { ...ctx.opts, dependsOn: [kubePrometheusStack] },
        );
    }
}
