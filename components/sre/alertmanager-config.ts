// The Alertmanager configuration (alertmanager.yaml) as plain data: a route tree by severity, the
// receivers whose secrets are configured, and inhibition so a page silences its own warning.
import type { Settings } from "../config/schema";
import type { SecretConfigKey } from "./secrets";

/** The secret values a config is rendered with: real ones in the cluster, placeholders in the plan. */
export type ReceiverSecrets = Partial<Record<SecretConfigKey, string>>;

/** Syntactically valid stand-ins (the plan and the tests render the config with these). */
export const PLACEHOLDER_SECRETS: Required<ReceiverSecrets> = {
    pagerdutyRoutingKey: "offline-plan-placeholder-routing-key",
    slackWebhookUrl: "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/PLACEHOLDER",
    heartbeatUrl: "https://heartbeat.invalid/offline-plan-placeholder",
};

/** Secret the Alertmanager reads its configuration from (kube-prometheus-stack `configSecret`). */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-platform-config";

export const RECEIVERS = {
    none: "null",
    pagerduty: "pagerduty",
    slackAlerts: "slack-alerts",
    slackMonitoring: "slack-monitoring",
    heartbeat: "heartbeat",
} as const;

/** The alerts group by these labels, and a critical inhibits warnings and infos that share them. */
export const GROUP_BY = ["alertname", "namespace", "cluster"] as const;

/**
 * Timings. A new group waits 30s for its siblings, changes to a group go out at most every 5m, and
 * an unchanged firing group is re-sent every 4h (pages every hour: PagerDuty deduplicates by group
 * key, Slack does not). The Watchdog heartbeat goes out every minute: the dead man's switch service
 * alerts when it has not heard from us for a few minutes.
 */
export const TIMINGS = {
    default: { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
    critical: { group_wait: "10s", group_interval: "5m", repeat_interval: "1h" },
    info: { group_wait: "1m", group_interval: "10m", repeat_interval: "24h" },
    heartbeat: { group_wait: "0s", group_interval: "1m", repeat_interval: "1m" },
} as const;

/** Which receivers a set of secrets allows, and what is lost without the others. */
export function missingReceiverWarnings(secrets: ReadonlySet<SecretConfigKey>): string[] {
    const warnings: string[] = [];
    if (!secrets.has("pagerdutyRoutingKey")) {
        warnings.push("no PagerDuty routing key (secret config pagerdutyRoutingKey): critical alerts page nobody, they only go to Slack");
    }
    if (!secrets.has("slackWebhookUrl")) {
        warnings.push("no Slack webhook (secret config slackWebhookUrl): warning and info alerts reach nobody");
    }
    if (!secrets.has("heartbeatUrl")) {
        warnings.push("no heartbeat URL (secret config heartbeatUrl): nothing notices when alerting itself is down (no dead man's switch)");
    }
    return warnings;
}

const slackMessage = {
    title:
        '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] ' +
        "{{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }}, {{ .CommonLabels.cluster }})",
    text:
        "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n" +
        "{{ if .Annotations.runbook_url }}<{{ .Annotations.runbook_url }}|Runbook>{{ end }}" +
        "{{ if .Annotations.dashboard_url }} | <{{ .Annotations.dashboard_url }}|Dashboard>{{ end }}\n{{ end }}",
};

export function alertmanagerConfig(settings: Settings, secrets: ReceiverSecrets) {
    const { slack } = settings.alerting;
    const receivers: Record<string, unknown>[] = [{ name: RECEIVERS.none }];
    if (secrets.pagerdutyRoutingKey !== undefined) {
        receivers.push({
            name: RECEIVERS.pagerduty,
            pagerduty_configs: [
                {
                    routing_key: secrets.pagerdutyRoutingKey,
                    send_resolved: true,
                    description: "{{ .CommonLabels.alertname }} ({{ .CommonLabels.cluster }}): {{ .CommonAnnotations.summary }}",
                    client: `Alertmanager (${settings.stack})`,
                    links: [{ href: "{{ .CommonAnnotations.runbook_url }}", text: "Runbook" }],
                },
            ],
        });
    }
    if (secrets.slackWebhookUrl !== undefined) {
        for (const [name, channel, color] of [
            [RECEIVERS.slackAlerts, slack.alertsChannel, '{{ if eq .Status "firing" }}{{ if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}{{ else }}good{{ end }}'],
            [RECEIVERS.slackMonitoring, slack.monitoringChannel, '{{ if eq .Status "firing" }}#439FE0{{ else }}good{{ end }}'],
        ] as const) {
            receivers.push({
                name,
                slack_configs: [{ api_url: secrets.slackWebhookUrl, channel, send_resolved: true, color, ...slackMessage }],
            });
        }
    }
    if (secrets.heartbeatUrl !== undefined) {
        receivers.push({ name: RECEIVERS.heartbeat, webhook_configs: [{ url: secrets.heartbeatUrl, send_resolved: false }] });
    }
    const has = (name: string) => receivers.some((r) => r.name === name);
    const orNull = (name: string) => (has(name) ? name : RECEIVERS.none);

    const routes: Record<string, unknown>[] = [
        // The dead man's switch: kube-prometheus-stack's Watchdog always fires; it must never reach people.
        { matchers: ['alertname="Watchdog"'], receiver: orNull(RECEIVERS.heartbeat), ...TIMINGS.heartbeat },
        // kube-prometheus-stack's helper alert that only exists to inhibit info alerts.
        { matchers: ['alertname="InfoInhibitor"'], receiver: RECEIVERS.none },
    ];
    if (has(RECEIVERS.pagerduty)) {
        routes.push({ matchers: ['severity="critical"'], receiver: RECEIVERS.pagerduty, continue: true, ...TIMINGS.critical });
    }
    routes.push(
        { matchers: ['severity="critical"'], receiver: orNull(RECEIVERS.slackAlerts), ...TIMINGS.critical },
        { matchers: ['severity="warning"'], receiver: orNull(RECEIVERS.slackAlerts) },
        { matchers: ['severity="info"'], receiver: orNull(RECEIVERS.slackMonitoring), ...TIMINGS.info },
    );

    return {
        global: { resolve_timeout: "5m" },
        route: {
            // Alerts without a known severity still reach a human, in #alerts.
            receiver: orNull(RECEIVERS.slackAlerts),
            group_by: [...GROUP_BY],
            ...TIMINGS.default,
            routes,
        },
        inhibit_rules: [
            { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: [...GROUP_BY] },
            { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: [...GROUP_BY] },
            { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ["namespace", "cluster"] },
        ],
        receivers,
    };
}
