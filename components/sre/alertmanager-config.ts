// The Alertmanager configuration (alertmanager.yaml) as plain data: a route tree by severity, the
// receivers whose secrets are configured, and inhibition so a page silences its own warning.
import type { Settings } from "../config/schema";
import { OFFLINE_SECRET_STAND_IN, parseSlackWebhookUrls, type SecretConfigKey } from "../config/secrets";

/**
 * The secret values a config is rendered with, as the config holds them (slackWebhookUrls as its
 * JSON text): real ones in the cluster, placeholders in the plan.
 */
export type ReceiverSecrets = Partial<Record<SecretConfigKey, string>>;

/**
 * Syntactically valid stand-ins (the plan renders the config with these). slackWebhookUrls has one
 * per channel of the settings, each a different URL, so the plan's file shows which webhook each
 * receiver posts with.
 */
export function placeholderSecrets(settings: Settings): Required<ReceiverSecrets> {
    const { alertsChannel, monitoringChannel } = settings.alerting.slack;
    const perChannel = Object.fromEntries(
        [alertsChannel, monitoringChannel].map((c) => [c, `https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/${c.slice(1)}`]),
    );
    return {
        pagerdutyRoutingKey: "offline-plan-placeholder-routing-key",
        slackWebhookUrls: JSON.stringify(perChannel),
        slackWebhookUrl: "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/PLACEHOLDER",
        heartbeatUrl: "https://heartbeat.invalid/offline-plan-placeholder",
    };
}

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

/** Which receivers a set of secrets allows, and what is lost without the others (key names only). */
export function missingReceiverWarnings(secrets: ReadonlySet<SecretConfigKey>, settings: Settings): string[] {
    const warnings: string[] = [];
    const { alertsChannel, monitoringChannel } = settings.alerting.slack;
    if (!secrets.has("pagerdutyRoutingKey")) {
        warnings.push("no PagerDuty routing key (secret config pagerdutyRoutingKey): critical alerts page nobody, they only go to Slack");
    }
    if (!secrets.has("slackWebhookUrls") && !secrets.has("slackWebhookUrl")) {
        warnings.push("no Slack webhooks (secret config slackWebhookUrls): warning and info alerts reach nobody");
    } else if (!secrets.has("slackWebhookUrls") && alertsChannel !== monitoringChannel) {
        warnings.push(
            `one Slack webhook (secret config slackWebhookUrl) for both ${alertsChannel} and ${monitoringChannel}: Slack incoming webhooks ` +
                "ignore the channel field, so warning and info alerts will land in the channel the webhook was made for; " +
                "set secret config slackWebhookUrls, one webhook per channel, and remove slackWebhookUrl",
        );
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

/**
 * The webhook each channel is posted with: its own from slackWebhookUrls, else the one
 * slackWebhookUrl for every channel; undefined without either. The URL is inlined as `api_url`,
 * as the other receivers' secrets are: the whole file is a Pulumi secret in a Kubernetes Secret.
 * Slack's `api_url_file` exists (amtool 0.25 accepts it, unlike the webhook's `url_file`) but would
 * need a second Secret mounted into the Alertmanager pods, for no gain in secrecy.
 */
function slackWebhooks(secrets: ReceiverSecrets): ((channel: string) => string) | undefined {
    if (secrets.slackWebhookUrls !== undefined) {
        // The offline plan could not decrypt the map: a stand-in for every channel (the Secret is masked).
        if (secrets.slackWebhookUrls === OFFLINE_SECRET_STAND_IN) return () => OFFLINE_SECRET_STAND_IN;
        const map = parseSlackWebhookUrls(secrets.slackWebhookUrls);
        return (channel) => {
            const url = map && Object.hasOwn(map, channel) ? map[channel] : undefined;
            // loadSettings has refused such a config already; never show the value.
            if (typeof url !== "string") throw new Error(`secret config slackWebhookUrls has no webhook URL for ${channel}`);
            return url;
        };
    }
    const url = secrets.slackWebhookUrl;
    return url === undefined ? undefined : () => url;
}

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
    const webhookFor = slackWebhooks(secrets);
    if (webhookFor !== undefined) {
        for (const [name, channel, color] of [
            [RECEIVERS.slackAlerts, slack.alertsChannel, '{{ if eq .Status "firing" }}{{ if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}{{ else }}good{{ end }}'],
            [RECEIVERS.slackMonitoring, slack.monitoringChannel, '{{ if eq .Status "firing" }}#439FE0{{ else }}good{{ end }}'],
        ] as const) {
            receivers.push({
                name,
                // The webhook decides the channel; `channel` only matters to webhooks of a Slack app
                // allowed to post elsewhere, and names the intended channel for the reader.
                slack_configs: [{ api_url: webhookFor(channel), channel, send_resolved: true, color, ...slackMessage }],
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
