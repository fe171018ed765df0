// Installs the SRE layer on one cluster: the Alertmanager configuration as a Kubernetes Secret (it
// holds the receivers' secrets) and the rules the platform model places there as PrometheusRule
// resources, each labelled with the evaluator that loads it (evaluation.ts: the cluster's
// Prometheus, Mimir's ruler or a Thanos Ruler).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ClusterContext } from "../cluster/context";
import { ALERTMANAGER_CONFIG_SECRET, alertmanagerConfig, missingReceiverWarnings, type ReceiverSecrets } from "./alertmanager-config";
import { EVALUATION_ANNOTATION, EVALUATOR_LABEL } from "./evaluation";
import { readAlertingSecrets, type AlertingSecrets, type SecretConfigKey } from "../config/secrets";

/** Annotation on that Secret naming the secret config keys it was rendered with (names only). */
export const SECRET_KEYS_ANNOTATION = "observability-platform/secret-config-keys";
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

export const yamlText = (value: unknown): string => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

export function installSre(
    ctx: ClusterContext,
    kubePrometheusStack: pulumi.Resource,
    secrets: AlertingSecrets = readAlertingSecrets(),
): void {
    const { settings, cluster } = ctx;
    const monitoring = ctx.namespaces[settings.namespaces.monitoring].metadata.name;

    // Only the hub runs Alertmanager (spokes send their alerts to it through the fleet gateway), so
    // only the hub gets its config and the receivers' keys in it: a spoke's cluster never holds them.
    if (ctx.model.alerts.via === "local") installAlertmanagerConfig(ctx, secrets);

    // The rules the model places on this cluster (sre/prometheus-rules.ts).
    for (const rule of ctx.model.rules) {
        new k8s.apiextensions.CustomResource(
            `${cluster.name}-${rule.name}`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name: rule.name,
                    namespace: monitoring,
                    // The label is what the selectors read: each cluster's Prometheus excludes the
                    // rulers' rules, Mimir's sync and the ThanosRuler select only their own.
                    labels: { "app.kubernetes.io/part-of": "observability-platform", [EVALUATOR_LABEL]: rule.evaluator },
                    annotations: { [EVALUATION_ANNOTATION]: rule.evaluatedBy },
                },
                spec: { groups: rule.groups },
            },
            // The PrometheusRule CRD comes with kube-prometheus-stack.
            { ...ctx.opts, dependsOn: [kubePrometheusStack] },
        );
    }
}

/** The hub's Alertmanager configuration, as a Secret: it holds the receivers' keys and URLs. */
function installAlertmanagerConfig(ctx: ClusterContext, secrets: AlertingSecrets): void {
    const { settings, cluster } = ctx;
    const configured = (Object.keys(secrets) as SecretConfigKey[]).sort();
    for (const warning of missingReceiverWarnings(new Set(configured), settings)) pulumi.log.warn(warning, ctx.opts.parent);
    const values = configured.map((k) => secrets[k] as pulumi.Output<string>);
    const configYaml = pulumi.all(values).apply((plain) => {
        const receiverSecrets: ReceiverSecrets = Object.fromEntries(configured.map((k, i) => [k, plain[i]]));
        return yamlText(alertmanagerConfig(settings, receiverSecrets));
    });
    ctx.secret(`${cluster.name}-alertmanager-config`, {
        name: ALERTMANAGER_CONFIG_SECRET,
        namespace: settings.namespaces.monitoring,
        annotations: { [SECRET_KEYS_ANNOTATION]: configured.join(",") },
        type: "Opaque",
        // The rendered file carries the receivers' keys and URLs: a secret end to end.
        stringData: { "alertmanager.yaml": configured.length > 0 ? pulumi.secret(configYaml) : configYaml },
    });
}
