// Secret stack config of the SRE layer. These keys are never part of Settings (which ends up in plan
// files and logs): loadSettings skips them and insists they are Pulumi secrets, and only the wiring
// layer reads them, as secret Outputs.
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { ConfigProblem } from "./errors";

/** Config key (without the project namespace) -> what it holds. */
export const SECRET_CONFIG_KEYS = {
    pagerdutyRoutingKey: "the PagerDuty Events API v2 integration (routing) key of the on-call service",
    // One webhook per channel, keyed by the channel (not by severity): Slack creates an incoming
    // webhook for exactly one channel and posts there whatever `channel` a message names, so the
    // channel is what a webhook belongs to. Keyed so, the map is checkable against
    // alerting.slack.*Channel, and two severities routed to one channel need one entry.
    slackWebhookUrls: 'a map of Slack channel to the incoming webhook URL Slack made for it, such as {"#alerts": "https://hooks.slack.com/services/...", "#monitoring": "https://hooks.slack.com/services/..."}',
    /** Superseded by slackWebhookUrls; still accepted, with a warning when channels would share it. */
    slackWebhookUrl: "the Slack incoming webhook URL alerts are posted with",
    heartbeatUrl: "the dead man's switch URL (e.g. a healthchecks.io ping URL) the Watchdog alert keeps pinging",
} as const;
export type SecretConfigKey = keyof typeof SECRET_CONFIG_KEYS;

export const isSecretConfigKey = (key: string): key is SecretConfigKey => Object.hasOwn(SECRET_CONFIG_KEYS, key);

/** A secret key set in plaintext: the config error names the key, never the value. */
export function plaintextSecretProblem(key: SecretConfigKey): ConfigProblem {
    const example = key === "slackWebhookUrls" ? `'{"#alerts": "https://hooks.slack.com/services/...", ...}'` : "...";
    return {
        path: [key],
        expected: `a Pulumi secret holding ${SECRET_CONFIG_KEYS[key]} (set it with \`pulumi config set --secret ${key} ${example}\`)`,
        given: "a plaintext value (not shown)",
    };
}

/**
 * slackWebhookUrls as the engine hands it over (JSON text, also when it was set as a YAML map with
 * `secure:` leaves), or YAML: the map, or undefined when it is not one. Never throws: a parse error
 * would quote the secret.
 */
export function parseSlackWebhookUrls(text: string): Record<string, unknown> | undefined {
    let value: unknown;
    try {
        value = parse(text);
    } catch {
        return undefined;
    }
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * What the offline plan (tools/offline/stack-config.ts) passes in place of a `secure:` value of a
 * stack file, which only the Pulumi CLI can decrypt: a value of unknown shape, not a wrong one.
 */
export const OFFLINE_SECRET_STAND_IN = "offline-plan-placeholder-secret";

const isHttpUrl = (value: unknown): boolean => {
    if (typeof value !== "string") return false;
    try {
        return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
        return false;
    }
};

/** What config validation may know of the secrets: which keys are set and their shape, never a value. */
export interface SecretConfigFacts {
    set: readonly SecretConfigKey[];
    /**
     * slackWebhookUrls, when set: channel -> whether it holds an http(s) URL; "not a map" otherwise;
     * "unknown" when the offline plan could not decrypt it.
     */
    slackWebhookUrls?: Readonly<Record<string, boolean>> | "not a map" | "unknown";
}

/** The facts of the secrets' plaintext values (as loadSettings sees them); the values stay here. */
export function secretConfigFacts(raw: Readonly<Partial<Record<SecretConfigKey, string>>>): SecretConfigFacts {
    const set = (Object.keys(raw) as SecretConfigKey[]).filter((k) => raw[k] !== undefined).sort();
    const facts: SecretConfigFacts = { set };
    if (raw.slackWebhookUrls !== undefined) {
        const map = parseSlackWebhookUrls(raw.slackWebhookUrls);
        facts.slackWebhookUrls =
            raw.slackWebhookUrls === OFFLINE_SECRET_STAND_IN
                ? "unknown"
                : map
                  ? Object.fromEntries(Object.entries(map).map(([channel, url]) => [channel, url === OFFLINE_SECRET_STAND_IN || isHttpUrl(url)]))
                  : "not a map";
    }
    return facts;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The channels the routing posts to, with the setting that names each and what it carries. */
export function slackChannels(candidate: Readonly<Record<string, unknown>>): { channel: string; setting: string; carries: string }[] {
    const slack = isObject(candidate.alerting) && isObject(candidate.alerting.slack) ? candidate.alerting.slack : {};
    const out: { channel: string; setting: string; carries: string }[] = [];
    for (const [key, carries] of [
        ["alertsChannel", "warnings and copies of pages"],
        ["monitoringChannel", "info alerts"],
    ] as const) {
        const channel = slack[key];
        if (typeof channel === "string") out.push({ channel, setting: `alerting.slack.${key}`, carries });
    }
    return out;
}

/**
 * The problems of the secrets against the settings (`candidate`, possibly invalid): every channel
 * the routing uses has its own webhook in slackWebhookUrls, and no other key is in that map. Paths
 * and channel names only; `given` never carries a value.
 */
export function secretConfigProblems(facts: SecretConfigFacts, candidate: Readonly<Record<string, unknown>>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const map = facts.slackWebhookUrls;
    if (map === undefined) return problems;
    if (facts.set.includes("slackWebhookUrl")) {
        problems.push({
            path: ["slackWebhookUrl"],
            expected: "nothing once slackWebhookUrls is set (it replaces the one webhook: `pulumi config rm slackWebhookUrl`)",
            given: "a secret (not shown)",
        });
    }
    if (map === "unknown") return problems;
    if (map === "not a map") {
        problems.push({ path: ["slackWebhookUrls"], expected: SECRET_CONFIG_KEYS.slackWebhookUrls, given: "a value that is not such a map (not shown)" });
        return problems;
    }
    const channels = slackChannels(candidate);
    const used = new Set(channels.map((c) => c.channel));
    const listed = [...new Set(channels.map((c) => `"${c.channel}"`))].join(", ");
    for (const [channel, isUrl] of Object.entries(map)) {
        // Without valid channel settings their own problems are the ones to report.
        if (!used.has(channel) && used.size > 0) {
            problems.push({
                path: ["slackWebhookUrls", channel],
                expected: `a channel alerts are routed to (${listed}: alerting.slack.alertsChannel and monitoringChannel)`,
                given: "a webhook for a channel no alert is routed to (not shown)",
            });
        } else if (used.has(channel) && !isUrl) {
            problems.push({ path: ["slackWebhookUrls", channel], expected: `the http(s) URL of the incoming webhook Slack made for ${channel}`, given: "a value that is not an http(s) URL (not shown)" });
        }
    }
    const reported = new Set<string>();
    for (const { channel, setting, carries } of channels) {
        if (Object.hasOwn(map, channel) || reported.has(channel)) continue;
        reported.add(channel);
        problems.push({
            path: ["slackWebhookUrls", channel],
            expected: `the URL of the incoming webhook Slack made for ${channel} (${setting}: ${carries})`,
            given: undefined,
        });
    }
    return problems;
}

export type AlertingSecrets = Partial<Record<SecretConfigKey, pulumi.Output<string>>>;

/** The secrets that are set, as secret Outputs. */
export function readAlertingSecrets(): AlertingSecrets {
    const config = new pulumi.Config();
    const out: AlertingSecrets = {};
    for (const key of Object.keys(SECRET_CONFIG_KEYS) as SecretConfigKey[]) {
        const value = config.getSecret(key);
        if (value !== undefined) out[key] = value;
    }
    return out;
}
