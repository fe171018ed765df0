// The Alertmanager configuration proven with the real amtool and a live alertmanager: routing by
// severity, inhibition, the Watchdog heartbeat, one Slack webhook per channel, and secrets that never
// leave Pulumi secrets.
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../components/config/errors";
import { alertmanagerConfig, RECEIVERS } from "../components/sre/alertmanager-config";
import { planStack, writePlan, type Plan } from "../tools/offline/plan";
import { PROJECT, planVariant, stackConfig } from "./support/program";
import { alertmanagerPath, amtoolPath, runTool } from "./support/prometheus-tools";

// Sentinels standing in for real secrets: none may appear in any file the plan writes, in an error
// or in a warning.
const SLACK_ALERTS_URL = "https://hooks.slack.com/services/T000SENTINEL/B000ALERTS/sentinelalerts";
const SLACK_MONITORING_URL = "https://hooks.slack.com/services/T000SENTINEL/B000MONITOR/sentinelmonitoring";
const SLACK_SHARED_URL = "https://hooks.slack.com/services/T000SENTINEL/B000SENTINEL/sentinelsentinel";
const SECRETS = {
    pagerdutyRoutingKey: "pd-routing-key-3f9c1a77e2",
    // As `pulumi config set --secret slackWebhookUrls '{...}'` stores it.
    slackWebhookUrls: JSON.stringify({ "#alerts": SLACK_ALERTS_URL, "#monitoring": SLACK_MONITORING_URL }),
    heartbeatUrl: "https://hc-ping.com/7d1e3c5a-sentinel-heartbeat",
};
const SENTINELS = [SECRETS.pagerdutyRoutingKey, SLACK_ALERTS_URL, SLACK_MONITORING_URL, SLACK_SHARED_URL, SECRETS.heartbeatUrl];
const SHARED_WEBHOOK_WARNING =
    /one Slack webhook \(secret config slackWebhookUrl\) for both #alerts and #monitoring: .*warning and info alerts will land in the channel the webhook was made for/;

function planWithSecrets(stack: string, secrets: Record<string, string>, asSecrets = true, set: Record<string, unknown> = {}): Promise<Plan> {
    const raw = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    return planStack(stack, {
        config: stackConfig(stack, { raw, set }),
        secretKeys: asSecrets ? Object.keys(raw) : [],
    });
}

const withoutSentinels = (text: string, where: string) => {
    for (const value of SENTINELS) assert.ok(!text.includes(value), `a secret in plaintext in ${where}`);
};

/** The ConfigError a plan is refused with; none of its text may carry a secret. */
async function configError(plan: Promise<Plan>): Promise<string> {
    let error: unknown;
    await plan.then(
        () => undefined,
        (err: unknown) => void (error = err),
    );
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    withoutSentinels(error.message, "the error");
    return error.message;
}

function filesUnder(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else out.set(path.relative(dir, full), fs.readFileSync(full, "utf8"));
        }
    };
    walk(dir);
    return out;
}

/** Runs `fn` with console.warn captured (Pulumi's log.warn under mocks writes there). */
async function capturingWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
    try {
        return { result: await fn(), warnings };
    } finally {
        console.warn = original;
    }
}

describe("Alertmanager configuration", function () {
    this.timeout(120_000);
    let tmp: string;
    let full: Plan;
    let amFull: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "alertmanager-"));
        full = await planWithSecrets("prod", SECRETS);
        writePlan(full, path.join(tmp, "full"));
        amFull = path.join(tmp, "full", "alertmanager.yaml");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("secrets", () => {
        it("never appear in resources, outputs, values or any plan file; the config Secret holds them masked", () => {
            const files = filesUnder(path.join(tmp, "full"));
            assert.ok(files.has("alertmanager.yaml") && files.has("resources.json"));
            for (const [file, text] of files) withoutSentinels(text, file);
            const secret = full.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata.name === "alertmanager-platform-config");
            assert.ok(secret, "the Alertmanager config Secret");
            // The Kubernetes provider marks a Secret's whole stringData as secret.
            assert.equal((secret.inputs as any).stringData, "[secret]");
            const values = full.releases.find((r) => r.chart === "kube-prometheus-stack")?.values as any;
            assert.equal(values.alertmanager.alertmanagerSpec.configSecret, "alertmanager-platform-config");
            assert.equal(values.alertmanager.alertmanagerSpec.useExistingSecret, true);
            assert.equal(values.alertmanager.config, undefined, "no routing or receivers in the Helm values");
            // The heartbeat relies on kube-prometheus-stack's own Watchdog rule (defaultRules.rules.general).
            assert.notEqual(values.defaultRules?.create, false);
            assert.notEqual(values.defaultRules?.rules?.general, false);
        });

        it("writes alertmanager.yaml with syntactically valid placeholders instead of the secrets", () => {
            const config = parse(fs.readFileSync(amFull, "utf8"));
            const receiver = (name: string) => config.receivers.find((r: any) => r.name === name);
            assert.equal(receiver(RECEIVERS.pagerduty).pagerduty_configs[0].routing_key, "offline-plan-placeholder-routing-key");
            // One stand-in per channel: the file shows which webhook each receiver posts with.
            assert.equal(receiver(RECEIVERS.slackAlerts).slack_configs[0].api_url, "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/alerts");
            assert.equal(receiver(RECEIVERS.slackMonitoring).slack_configs[0].api_url, "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/monitoring");
            assert.equal(receiver(RECEIVERS.heartbeat).webhook_configs[0].url, "https://heartbeat.invalid/offline-plan-placeholder");
            const secret = full.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata.name === "alertmanager-platform-config");
            assert.equal((secret?.inputs as any).metadata.annotations["observability-platform/secret-config-keys"], "heartbeatUrl,pagerdutyRoutingKey,slackWebhookUrls");
        });

        /** Plans prod from a copy of Pulumi.prod.yaml with these keys added, as a stack file holds them. */
        async function planStackFile(name: string, keys: Record<string, unknown>) {
            const stackFile = path.join(tmp, `Pulumi.prod-${name}.yaml`);
            const prod = parse(fs.readFileSync(path.resolve(__dirname, "..", "Pulumi.prod.yaml"), "utf8"));
            for (const [key, value] of Object.entries(keys)) prod.config[`${PROJECT}:${key}`] = value;
            fs.writeFileSync(stackFile, stringify(prod));
            return planStack("prod", { stackFile });
        }
        const ciphertext = { secure: "v1:AAAAAAAAAAAAAAAA:ciphertext" };

        it("takes `secure:` values of a stack file as the secrets, as `pulumi config set --secret` stores them", async () => {
            const plan = await planStackFile("secure", { pagerdutyRoutingKey: ciphertext, heartbeatUrl: ciphertext });
            writePlan(plan, path.join(tmp, "secure"));
            const config = parse(fs.readFileSync(path.join(tmp, "secure", "alertmanager.yaml"), "utf8"));
            assert.deepEqual(config.receivers.map((r: any) => r.name).sort(), ["heartbeat", "null", "pagerduty"]);
        });

        it("plans slackWebhookUrls from a stack file, encrypted whole or per channel (`--secret --path`); a channel missing there is an error", async () => {
            for (const [name, value] of [
                ["whole", ciphertext],
                ["per-channel", { "#alerts": ciphertext, "#monitoring": ciphertext }],
            ] as const) {
                const plan = await planStackFile(`slack-${name}`, { slackWebhookUrls: value });
                writePlan(plan, path.join(tmp, `slack-${name}`));
                const file = path.join(tmp, `slack-${name}`, "alertmanager.yaml");
                const config = parse(fs.readFileSync(file, "utf8"));
                const apiUrl = (receiver: string) => config.receivers.find((r: any) => r.name === receiver)?.slack_configs[0].api_url;
                assert.equal(apiUrl("slack-alerts"), "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/alerts", name);
                assert.equal(apiUrl("slack-monitoring"), "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/monitoring", name);
                const check = runTool(amtoolPath(), ["check-config", file]);
                assert.equal(check.status, 0, check.output);
            }
            await assert.rejects(planStackFile("slack-partial", { slackWebhookUrls: { "#alerts": ciphertext } }), (err: unknown) => {
                assert.ok(err instanceof ConfigError, String(err));
                assert.match(err.message, /observability-platform:slackWebhookUrls\["#monitoring"\]: expected the URL of the incoming webhook Slack made for #monitoring/);
                return true;
            });
        });

        it("refuses a secret key set in plaintext, naming the key but not the value", async () => {
            const legacy = await configError(planWithSecrets("prod", { slackWebhookUrl: SLACK_SHARED_URL }, false));
            assert.match(legacy, /observability-platform:slackWebhookUrl: expected a Pulumi secret .*--secret slackWebhookUrl/);
            const perChannel = await configError(planWithSecrets("prod", { slackWebhookUrls: SECRETS.slackWebhookUrls }, false));
            assert.match(perChannel, /observability-platform:slackWebhookUrls: expected a Pulumi secret .*--secret slackWebhookUrls '\{"#alerts": /);
            assert.doesNotMatch(perChannel, /#monitoring"\]/, "a well-formed map has no other problem");
        });

        it("leaves out the receivers whose secret is missing, warns, and stays valid", async () => {
            const { result, warnings } = await capturingWarnings(() => planWithSecrets("prod", { slackWebhookUrls: SECRETS.slackWebhookUrls }));
            assert.equal(warnings.filter((w) => /PagerDuty/.test(w)).length, 1, warnings.join("\n"));
            assert.ok(warnings.some((w) => /heartbeat/.test(w)), warnings.join("\n"));
            assert.ok(!warnings.some((w) => /Slack webhook/.test(w)), `Slack is configured, one webhook per channel:\n${warnings.join("\n")}`);
            writePlan(result, path.join(tmp, "slack-only"));
            const file = path.join(tmp, "slack-only", "alertmanager.yaml");
            const config = parse(fs.readFileSync(file, "utf8"));
            assert.deepEqual(config.receivers.map((r: any) => r.name).sort(), ["null", "slack-alerts", "slack-monitoring"]);
            const check = runTool(amtoolPath(), ["check-config", file]);
            assert.equal(check.status, 0, check.output);
            // Pages still reach Slack; the Watchdog reaches nobody rather than a channel every minute.
            routes(file, { severity: "critical", alertname: "X" }, ["slack-alerts"]);
            routes(file, { alertname: "Watchdog", severity: "none" }, ["null"]);
        });

        it("without any Slack webhook, warns that warning and info alerts reach nobody", async () => {
            const { warnings } = await capturingWarnings(() => planWithSecrets("prod", { heartbeatUrl: SECRETS.heartbeatUrl }));
            assert.equal(warnings.filter((w) => /no Slack webhooks \(secret config slackWebhookUrls\): warning and info alerts reach nobody/.test(w)).length, 1, warnings.join("\n"));
        });
    });

    describe("one Slack webhook per channel", () => {
        const map = (entries: Record<string, string>) => ({ slackWebhookUrls: JSON.stringify(entries) });

        it("refuses slackWebhookUrls without a webhook for a channel the alerts are routed to, naming the key path", async () => {
            const message = await configError(planWithSecrets("prod", map({ "#alerts": SLACK_ALERTS_URL })));
            assert.match(
                message,
                /observability-platform:slackWebhookUrls\["#monitoring"\]: expected the URL of the incoming webhook Slack made for #monitoring \(alerting\.slack\.monitoringChannel: info alerts\); got nothing \(the key is missing\)/,
            );
            assert.match(message, /\(1 problem\)/);
        });

        it("checks the map against the configured channels: a renamed channel needs its own webhook, an unrouted one is refused", async () => {
            const message = await configError(
                planWithSecrets("prod", map({ "#alerts": SLACK_ALERTS_URL, "#monitoring": SLACK_MONITORING_URL }), true, {
                    alerting: { slack: { monitoringChannel: "#ops-info" } },
                }),
            );
            assert.match(message, /slackWebhookUrls\["#ops-info"\]: expected the URL of the incoming webhook Slack made for #ops-info \(alerting\.slack\.monitoringChannel/);
            assert.match(message, /slackWebhookUrls\["#monitoring"\]: expected a channel alerts are routed to \("#alerts", "#ops-info"/);
            assert.match(message, /\(2 problems\)/);
        });

        it("refuses entries that are not http(s) URLs and a value that is not a map, without showing them", async () => {
            const notUrl = "hooks-slack-sentinel-not-a-url";
            const entry = await configError(planWithSecrets("prod", map({ "#alerts": notUrl, "#monitoring": SLACK_MONITORING_URL })));
            assert.match(entry, /slackWebhookUrls\["#alerts"\]: expected the http\(s\) URL of the incoming webhook Slack made for #alerts; got "a value that is not an http\(s\) URL \(not shown\)"/);
            assert.ok(!entry.includes(notUrl));
            const whole = await configError(planWithSecrets("prod", { slackWebhookUrls: SLACK_SHARED_URL }));
            assert.match(whole, /observability-platform:slackWebhookUrls: expected a map of Slack channel to the incoming webhook URL Slack made for it/);
        });

        it("refuses slackWebhookUrl next to slackWebhookUrls (which webhook is meant would be a guess)", async () => {
            const message = await configError(planWithSecrets("prod", { ...SECRETS, slackWebhookUrl: SLACK_SHARED_URL }));
            assert.match(message, /observability-platform:slackWebhookUrl: expected nothing once slackWebhookUrls is set .*pulumi config rm slackWebhookUrl/);
        });

        it("accepts the map as YAML, and one entry when both severities go to one channel", async () => {
            const yamlText = `"#alerts": ${SLACK_ALERTS_URL}\n"#monitoring": ${SLACK_MONITORING_URL}\n`;
            await planWithSecrets("prod", { slackWebhookUrls: yamlText });
            const oneChannel = { alerting: { slack: { alertsChannel: "#ops", monitoringChannel: "#ops" } } };
            const { warnings } = await capturingWarnings(() => planWithSecrets("prod", map({ "#ops": SLACK_ALERTS_URL }), true, oneChannel));
            assert.ok(!warnings.some((w) => /Slack webhook/.test(w)), warnings.join("\n"));
            // The old single webhook is right for a single channel: no warning either.
            const legacy = await capturingWarnings(() => planWithSecrets("prod", { slackWebhookUrl: SLACK_SHARED_URL }, true, oneChannel));
            assert.ok(!legacy.warnings.some((w) => /Slack webhook/.test(w)), legacy.warnings.join("\n"));
        });

        it("still accepts the old single slackWebhookUrl, warning once that both channels share it", async () => {
            const { result, warnings } = await capturingWarnings(() => planWithSecrets("prod", { slackWebhookUrl: SLACK_SHARED_URL }));
            assert.equal(warnings.filter((w) => SHARED_WEBHOOK_WARNING.test(w)).length, 1, warnings.join("\n"));
            for (const w of warnings) withoutSentinels(w, "a warning");
            writePlan(result, path.join(tmp, "legacy"));
            const file = path.join(tmp, "legacy", "alertmanager.yaml");
            const text = fs.readFileSync(file, "utf8");
            withoutSentinels(text, "alertmanager.yaml");
            const config = parse(text);
            const apiUrl = (receiver: string) => config.receivers.find((r: any) => r.name === receiver)?.slack_configs[0].api_url;
            assert.equal(apiUrl("slack-alerts"), "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/PLACEHOLDER");
            assert.equal(apiUrl("slack-monitoring"), "https://hooks.slack.com/services/PLACEHOLDER/PLACEHOLDER/PLACEHOLDER");
            const check = runTool(amtoolPath(), ["check-config", file]);
            assert.equal(check.status, 0, check.output);
        });
    });

    /** amtool config routes test --verify.receivers: exits non-zero when the receivers differ. */
    function routes(file: string, labels: Record<string, string>, receivers: string[]) {
        const args = ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${receivers.join(",")}`];
        const r = runTool(amtoolPath(), [...args, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
        assert.equal(r.status, 0, `${JSON.stringify(labels)} should reach ${receivers.join(",")}:\n${r.output}`);
    }

    describe("amtool", () => {
        it("check-config passes for every stack, with and without secrets", async () => {
            const dev = await planVariant("dev");
            writePlan(dev, path.join(tmp, "dev"));
            for (const file of [amFull, path.join(tmp, "dev", "alertmanager.yaml")]) {
                const r = runTool(amtoolPath(), ["check-config", file]);
                assert.equal(r.status, 0, r.output);
            }
        });

        it("routes critical to PagerDuty and Slack, warning to #alerts, info to #monitoring, Watchdog to the heartbeat", () => {
            const base = { alertname: "SomeAlert", namespace: "shop", cluster: "prod-gke" };
            routes(amFull, { ...base, severity: "critical" }, ["pagerduty", "slack-alerts"]);
            routes(amFull, { ...base, severity: "warning" }, ["slack-alerts"]);
            routes(amFull, { ...base, severity: "info" }, ["slack-monitoring"]);
            routes(amFull, { alertname: "Watchdog", severity: "none" }, ["heartbeat"]);
            routes(amFull, { alertname: "InfoInhibitor", severity: "none" }, ["null"]);
            // An alert without a known severity still reaches a person.
            routes(amFull, { alertname: "Unlabelled" }, ["slack-alerts"]);
        });

        it("routes the log alerts of Loki's ruler by their severity, exactly like the Prometheus alerts", () => {
            const cm = full.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).metadata?.labels?.loki_rule !== undefined);
            assert.ok(cm, "the plan declares the Loki rule ConfigMap");
            const groups = parse((cm.inputs as any).data["observability-platform.yaml"]).groups as { rules: { alert: string; labels: Record<string, string> }[] }[];
            const expected: Record<string, string[]> = { critical: ["pagerduty", "slack-alerts"], warning: ["slack-alerts"], info: ["slack-monitoring"] };
            const seen = new Set<string>();
            for (const rule of groups.flatMap((g) => g.rules)) {
                // The expression's result adds cluster and namespace (its `by` labels); the rule adds the rest.
                routes(amFull, { alertname: rule.alert, cluster: "prod-gke", namespace: "reviewmaps", ...rule.labels }, expected[rule.labels.severity]);
                seen.add(rule.labels.severity);
            }
            assert.deepEqual([...seen].sort(), ["info", "warning"], "prod's log alerts are warnings and infos");
        });

        it("sends the Slack receivers to their channels and keeps the deprecated match out", () => {
            const text = fs.readFileSync(amFull, "utf8");
            const config = parse(text);
            const channel = (name: string) => config.receivers.find((r: any) => r.name === name).slack_configs[0].channel;
            assert.equal(channel("slack-alerts"), "#alerts");
            assert.equal(channel("slack-monitoring"), "#monitoring");
            assert.doesNotMatch(text, /^\s*(match|match_re|source_match|target_match|source_match_re|target_match_re):/m);
            assert.deepEqual(config.route.group_by, ["alertname", "namespace", "cluster"]);
        });
    });

    describe("a live alertmanager", function () {
        let server: http.Server | undefined;
        let capture = "";
        let amLog = "";
        const running: { am: ChildProcess; exit: Promise<void> }[] = [];
        const received: { path: string; body: any }[] = [];

        const freePort = () =>
            new Promise<number>((resolve, reject) => {
                const s = net.createServer();
                s.once("error", reject);
                s.listen(0, "127.0.0.1", () => {
                    const port = (s.address() as net.AddressInfo).port;
                    s.close(() => resolve(port));
                });
            });

        async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
            const deadline = Date.now() + ms;
            for (;;) {
                const value = await fn();
                if (value !== undefined) return value;
                if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\nalertmanager log:\n${amLog}`);
                await new Promise((r) => setTimeout(r, 100));
            }
        }

        /**
         * Runs alertmanager on `config` with the group timings shortened so a test runs in seconds;
         * resolves with its API URL once it is ready.
         */
        async function startAlertmanager(name: string, config: any): Promise<string> {
            const dir = fs.mkdtempSync(path.join(tmp, `live-${name}-`));
            const shorten = (route: any) => {
                for (const key of ["group_wait", "group_interval"]) if (route[key] !== undefined) route[key] = "1s";
                for (const child of route.routes ?? []) shorten(child);
            };
            shorten(config.route);
            config.route.group_wait = "1s";
            config.route.group_interval = "1s";
            fs.writeFileSync(path.join(dir, "alertmanager.yaml"), stringify(config));

            const port = await freePort();
            const am = spawn(
                alertmanagerPath(),
                [
                    `--config.file=${path.join(dir, "alertmanager.yaml")}`,
                    `--storage.path=${path.join(dir, "data")}`,
                    `--web.listen-address=127.0.0.1:${port}`,
                    "--cluster.listen-address=",
                    "--log.level=info",
                ],
                { stdio: ["ignore", "pipe", "pipe"] },
            );
            am.stdout?.on("data", (d) => (amLog += d));
            am.stderr?.on("data", (d) => (amLog += d));
            running.push({ am, exit: new Promise((resolve) => am.once("exit", () => resolve())) });
            const api = `http://127.0.0.1:${port}`;
            await until(`alertmanager (${name}) to be ready`, async () => {
                if (am.exitCode !== null) throw new Error(`alertmanager exited:\n${amLog}`);
                try {
                    return (await fetch(`${api}/-/ready`)).ok ? true : undefined;
                } catch {
                    return undefined;
                }
            });
            return api;
        }

        before(async () => {
            server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    received.push({ path: req.url ?? "", body: body ? JSON.parse(body) : undefined });
                    res.writeHead(req.url === "/pagerduty" ? 202 : 200, { "content-type": "application/json" });
                    res.end(req.url === "/pagerduty" ? '{"status":"success","message":"Event processed"}' : "ok");
                });
            });
            await new Promise<void>((resolve) => (server as http.Server).listen(0, "127.0.0.1", () => resolve()));
            capture = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        });

        after(async () => {
            for (const { am, exit } of running) {
                if (am.exitCode !== null) continue;
                am.kill("SIGTERM");
                const stopped = await Promise.race([exit, new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
                if (stopped === "timeout") am.kill("SIGKILL");
            }
            await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        });

        const post = async (api: string, alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[]) => {
            const res = await fetch(`${api}/api/v2/alerts`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify(alerts.map((a) => ({ annotations: { summary: `${a.labels.alertname} summary` }, ...a }))),
            });
            assert.equal(res.status, 200, await res.text());
        };

        /** The Slack messages posted to one webhook URL path of the capture server. */
        const slackAt = (urlPath: string) =>
            received.filter((r) => r.path === urlPath).map((r) => ({ channel: r.body.channel as string, title: String(r.body.attachments?.[0]?.title) }));
        const titlesAt = (urlPath: string) => slackAt(urlPath).map((m) => m.title);

        it("delivers each severity to its receiver and each Slack channel's messages to that channel's own webhook, inhibits the warning of a paging alert, and pings the heartbeat", async () => {
            // The configuration the program renders from the secret config, with the two channels'
            // webhooks at two paths of the capture server (as real ones are two Slack webhooks).
            const config = structuredClone(
                alertmanagerConfig(full.settings, {
                    pagerdutyRoutingKey: "pd-live-routing-key",
                    slackWebhookUrls: JSON.stringify({ "#alerts": `${capture}/slack/alerts`, "#monitoring": `${capture}/slack/monitoring` }),
                    heartbeatUrl: `${capture}/heartbeat`,
                }),
            ) as any;
            // The same routing as the planned file; only the secrets differ.
            assert.deepEqual(config.route, parse(fs.readFileSync(amFull, "utf8")).route);
            // PagerDuty's endpoint is not a secret (the Events API default): pointed here as well.
            for (const r of config.receivers) for (const c of r.pagerduty_configs ?? []) c.url = `${capture}/pagerduty`;
            const api = await startAlertmanager("per-channel", config);

            const at = { namespace: "shop", cluster: "prod-gke" };
            await post(api, [{ labels: { alertname: "CheckoutErrorBudgetBurn", severity: "critical", ...at } }]);
            // The critical is in place before its own warning arrives, as when a page follows a ticket.
            await until("the critical to be active", async () => {
                const alerts = (await (await fetch(`${api}/api/v2/alerts?filter=alertname="CheckoutErrorBudgetBurn"`)).json()) as any[];
                return alerts.some((a) => a.status.state === "active") ? true : undefined;
            });
            await post(api, [
                { labels: { alertname: "CheckoutErrorBudgetBurn", severity: "warning", ...at } },
                // Same alert name on another cluster: not inhibited.
                { labels: { alertname: "CheckoutErrorBudgetBurn", severity: "warning", namespace: "shop", cluster: "other-gke" } },
                { labels: { alertname: "DiskAlmostFull", severity: "warning", ...at } },
                { labels: { alertname: "NewVersionDeployed", severity: "info", ...at } },
                { labels: { alertname: "Watchdog", severity: "none" } },
            ]);

            const pd = await until("the page", () => received.find((r) => r.path === "/pagerduty"));
            assert.equal(pd.body.routing_key, "pd-live-routing-key", "the routing key from the secret config");
            assert.equal(pd.body.event_action, "trigger");
            assert.match(pd.body.payload.summary, /CheckoutErrorBudgetBurn/);

            await until("the #alerts messages at the #alerts webhook", () => {
                const titles = titlesAt("/slack/alerts");
                const want = [/CheckoutErrorBudgetBurn \(critical, prod-gke\)/, /CheckoutErrorBudgetBurn \(warning, other-gke\)/, /DiskAlmostFull \(warning, prod-gke\)/];
                return want.every((w) => titles.some((t) => w.test(t))) ? true : undefined;
            });
            await until("the #monitoring message at the #monitoring webhook", () => (titlesAt("/slack/monitoring").some((t) => /NewVersionDeployed/.test(t)) ? true : undefined));
            const beat = await until("the heartbeat", () => received.find((r) => r.path === "/heartbeat"));
            assert.equal(beat.body.receiver, "heartbeat");
            assert.equal(beat.body.alerts[0].labels.alertname, "Watchdog");

            // Several group intervals later, the inhibited warning has still reached nobody.
            await new Promise((r) => setTimeout(r, 3000));
            const inhibited = (await (await fetch(`${api}/api/v2/alerts?filter=alertname="CheckoutErrorBudgetBurn"&filter=severity="warning"&filter=cluster="prod-gke"`)).json()) as any[];
            assert.equal(inhibited.length, 1);
            assert.equal(inhibited[0].status.state, "suppressed");
            assert.ok(inhibited[0].status.inhibitedBy.length > 0, "inhibited by the critical");
            assert.ok(!titlesAt("/slack/alerts").some((t) => /CheckoutErrorBudgetBurn \(warning, prod-gke\)/.test(t)), titlesAt("/slack/alerts").join("\n"));
            // Each webhook got its own channel's messages only.
            assert.ok(titlesAt("/slack/alerts").every((t) => /\((critical|warning), /.test(t)), titlesAt("/slack/alerts").join("\n"));
            assert.deepEqual([...new Set(titlesAt("/slack/monitoring"))].map((t) => t.replace(/^\[[A-Z:0-9]+\] /, "")), ["NewVersionDeployed (info, prod-gke)"]);
            assert.deepEqual([...new Set(slackAt("/slack/alerts").map((m) => m.channel))], ["#alerts"]);
            assert.deepEqual([...new Set(slackAt("/slack/monitoring").map((m) => m.channel))], ["#monitoring"]);
            assert.equal(received.filter((r) => r.path === "/pagerduty").every((r) => /CheckoutErrorBudgetBurn/.test(r.body.payload.summary)), true, "only the critical pages");
            assert.ok(!received.some((r) => r.path.startsWith("/slack") && /Watchdog/.test(JSON.stringify(r.body))), "the Watchdog never reaches Slack");
        });

        it("with the old single slackWebhookUrl, posts warning and info alerts to that one webhook, and the plan warns so", async () => {
            const { result, warnings } = await capturingWarnings(() => planWithSecrets("prod", { slackWebhookUrl: SLACK_SHARED_URL }));
            assert.equal(warnings.filter((w) => SHARED_WEBHOOK_WARNING.test(w)).length, 1, warnings.join("\n"));
            const config = structuredClone(alertmanagerConfig(result.settings, { slackWebhookUrl: `${capture}/slack/shared` })) as any;
            const api = await startAlertmanager("shared", config);
            const at = { namespace: "shop", cluster: "prod-gke" };
            await post(api, [
                { labels: { alertname: "SharedWebhookWarning", severity: "warning", ...at } },
                { labels: { alertname: "SharedWebhookInfo", severity: "info", ...at } },
            ]);
            const both = await until("both messages at the one webhook", () => {
                const messages = slackAt("/slack/shared");
                const warning = messages.find((m) => /SharedWebhookWarning \(warning, prod-gke\)/.test(m.title));
                const info = messages.find((m) => /SharedWebhookInfo \(info, prod-gke\)/.test(m.title));
                return warning && info ? { warning, info } : undefined;
            });
            // They still name their channels, which an incoming webhook ignores.
            assert.equal(both.warning.channel, "#alerts");
            assert.equal(both.info.channel, "#monitoring");
            for (const other of ["/slack/alerts", "/slack/monitoring"]) {
                assert.ok(!titlesAt(other).some((t) => /SharedWebhook/.test(t)), `${other}: ${titlesAt(other).join("\n")}`);
            }
        });
    });
});
