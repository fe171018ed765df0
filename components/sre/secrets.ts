// Secret stack config of the SRE layer. These keys are never part of Settings (which ends up in plan
// files and logs): loadSettings skips them and insists they are Pulumi secrets, and only the wiring
// layer reads them, as secret Outputs.
import * as pulumi from "@pulumi/pulumi";

/** Config key (without the project namespace) -> what it holds. */
export const SECRET_CONFIG_KEYS = {
    pagerdutyRoutingKey: "the PagerDuty Events API v2 integration (routing) key of the on-call service",
    slackWebhookUrl: "the Slack incoming webhook URL alerts are posted with",
    heartbeatUrl: "the dead man's switch URL (e.g. a healthchecks.io ping URL) the Watchdog alert keeps pinging",
} as const;
export type SecretConfigKey = keyof typeof SECRET_CONFIG_KEYS;

export const isSecretConfigKey = (key: string): key is SecretConfigKey => Object.hasOwn(SECRET_CONFIG_KEYS, key);

/** A secret key set in plaintext: the config error names the key, never the value. */
export function plaintextSecretProblem(key: SecretConfigKey) {
    return {
        path: [key],
        expected: `a Pulumi secret holding ${SECRET_CONFIG_KEYS[key]} (set it with \`pulumi config set --secret ${key} ...\`)`,
        given: "a plaintext value (not shown)",
    };
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
