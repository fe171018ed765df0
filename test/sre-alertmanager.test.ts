// The Alertmanager configuration proven with the real amtool and a live alertmanager: routing by
// severity, inhibition, the Watchdog heartbeat, and secrets that never leave Pulumi secrets.
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../components/config/errors";
import { PLACEHOLDER_SECRETS, RECEIVERS } from "../components/sre/alertmanager-config";
import { planStack, writePlan, type Plan } from "../tools/offline/plan";
import { PROJECT, planVariant, stackConfig } from "./support/program";
import { alertmanagerPath, amtoolPath, runTool } from "./support/prometheus-tools";

// Sentinels standing in for real secrets: none may appear in any file the plan writes.
const SECRETS = {
    pagerdutyRoutingKey: "pd-routing-key-3f9c1a77e2",
    slackWebhookUrl: "https://hooks.slack.com/services/T000SENTINEL/B000SENTINEL/sentinelsentinel",
    heartbeatUrl: "https://hc-ping.com/7d1e3c5a-sentinel-heartbeat",
};

function planWithSecrets(stack: string, secrets: Partial<typeof SECRETS>, asSecrets = true): Promise<Plan> {
    const raw = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    return planStack(stack, {
        config: stackConfig(stack, { raw }),
        secretKeys: asSecrets ? Object.keys(raw) : [],
    });
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
            for (const [file, text] of files) {
                for (const [key, value] of Object.entries(SECRETS)) {
                    assert.ok(!text.includes(value), `${key} in plaintext in ${file}`);
                }
            }
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
            assert.equal(receiver(RECEIVERS.pagerduty).pagerduty_configs[0].routing_key, PLACEHOLDER_SECRETS.pagerdutyRoutingKey);
            assert.equal(receiver(RECEIVERS.slackAlerts).slack_configs[0].api_url, PLACEHOLDER_SECRETS.slackWebhookUrl);
            assert.equal(receiver(RECEIVERS.heartbeat).webhook_configs[0].url, PLACEHOLDER_SECRETS.heartbeatUrl);
        });

        it("takes `secure:` values of a stack file as the secrets, as `pulumi config set --secret` stores them", async () => {
            const stackFile = path.join(tmp, "Pulumi.prod-secure.yaml");
            const prod = parse(fs.readFileSync(path.resolve(__dirname, "..", "Pulumi.prod.yaml"), "utf8"));
            prod.config[`${PROJECT}:pagerdutyRoutingKey`] = { secure: "v1:AAAAAAAAAAAAAAAA:ciphertext" };
            prod.config[`${PROJECT}:heartbeatUrl`] = { secure: "v1:AAAAAAAAAAAAAAAA:ciphertext" };
            fs.writeFileSync(stackFile, stringify(prod));
            const plan = await planStack("prod", { stackFile });
            writePlan(plan, path.join(tmp, "secure"));
            const config = parse(fs.readFileSync(path.join(tmp, "secure", "alertmanager.yaml"), "utf8"));
            assert.deepEqual(config.receivers.map((r: any) => r.name).sort(), ["heartbeat", "null", "pagerduty"]);
        });

        it("refuses a secret key set in plaintext, naming the key but not the value", async () => {
            await assert.rejects(planWithSecrets("prod", { slackWebhookUrl: SECRETS.slackWebhookUrl }, false), (err: unknown) => {
                assert.ok(err instanceof ConfigError, String(err));
                assert.match(err.message, /observability-platform:slackWebhookUrl: expected a Pulumi secret .*--secret slackWebhookUrl/);
                assert.ok(!err.message.includes(SECRETS.slackWebhookUrl), "the error shows the secret");
                return true;
            });
        });

        it("leaves out the receivers whose secret is missing, warns, and stays valid", async () => {
            const { result, warnings } = await capturingWarnings(() => planWithSecrets("prod", { slackWebhookUrl: SECRETS.slackWebhookUrl }));
            assert.equal(warnings.filter((w) => /PagerDuty/.test(w)).length, 1, warnings.join("\n"));
            assert.ok(warnings.some((w) => /heartbeat/.test(w)), warnings.join("\n"));
            assert.ok(!warnings.some((w) => /Slack webhook/.test(w)), "Slack is configured");
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
        let am: ChildProcess | undefined;
        let amExit: Promise<void> | undefined;
        let server: http.Server | undefined;
        let live: string;
        let amLog = "";
        let apiUrl = "";
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

        before(async () => {
            live = fs.mkdtempSync(path.join(tmp, "live-"));
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
            const capture = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

            // The generated config, with only the receivers' endpoints pointed at the capture server
            // and the group timings shortened so the test runs in seconds.
            const config = parse(fs.readFileSync(amFull, "utf8"));
            for (const r of config.receivers) {
                for (const c of r.pagerduty_configs ?? []) c.url = `${capture}/pagerduty`;
                for (const c of r.slack_configs ?? []) c.api_url = `${capture}/slack`;
                for (const c of r.webhook_configs ?? []) c.url = `${capture}/heartbeat`;
            }
            const shorten = (route: any) => {
                for (const key of ["group_wait", "group_interval"]) if (route[key] !== undefined) route[key] = "1s";
                for (const child of route.routes ?? []) shorten(child);
            };
            shorten(config.route);
            config.route.group_wait = "1s";
            config.route.group_interval = "1s";
            fs.writeFileSync(path.join(live, "alertmanager.yaml"), stringify(config));

            const port = await freePort();
            am = spawn(
                alertmanagerPath(),
                [
                    `--config.file=${path.join(live, "alertmanager.yaml")}`,
                    `--storage.path=${path.join(live, "data")}`,
                    `--web.listen-address=127.0.0.1:${port}`,
                    "--cluster.listen-address=",
                    "--log.level=info",
                ],
                { stdio: ["ignore", "pipe", "pipe"] },
            );
            am.stdout?.on("data", (d) => (amLog += d));
            am.stderr?.on("data", (d) => (amLog += d));
            amExit = new Promise((resolve) => am?.once("exit", () => resolve()));
            const api = `http://127.0.0.1:${port}`;
            await until("alertmanager to be ready", async () => {
                if (am?.exitCode !== null) throw new Error(`alertmanager exited:\n${amLog}`);
                try {
                    return (await fetch(`${api}/-/ready`)).ok ? true : undefined;
                } catch {
                    return undefined;
                }
            });
            apiUrl = api;
        });

        after(async () => {
            if (am && am.exitCode === null) {
                am.kill("SIGTERM");
                const killed = await Promise.race([amExit, new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
                if (killed === "timeout") am.kill("SIGKILL");
            }
            await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        });

        const post = async (alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[]) => {
            const res = await fetch(`${apiUrl}/api/v2/alerts`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify(alerts.map((a) => ({ annotations: { summary: `${a.labels.alertname} summary` }, ...a }))),
            });
            assert.equal(res.status, 200, await res.text());
        };

        const slackTitles = (channel: string) =>
            received.filter((r) => r.path === "/slack" && r.body.channel === channel).map((r) => String(r.body.attachments?.[0]?.title));

        it("delivers each severity to its receiver, inhibits the warning of a paging alert, and pings the heartbeat", async () => {
            const at = { namespace: "shop", cluster: "prod-gke" };
            await post([{ labels: { alertname: "CheckoutErrorBudgetBurn", severity: "critical", ...at } }]);
            // The critical is in place before its own warning arrives, as when a page follows a ticket.
            await until("the critical to be active", async () => {
                const alerts = (await (await fetch(`${apiUrl}/api/v2/alerts?filter=alertname="CheckoutErrorBudgetBurn"`)).json()) as any[];
                return alerts.some((a) => a.status.state === "active") ? true : undefined;
            });
            await post([
                { labels: { alertname: "CheckoutErrorBudgetBurn", severity: "warning", ...at } },
                // Same alert name on another cluster: not inhibited.
                { labels: { alertname: "CheckoutErrorBudgetBurn", severity: "warning", namespace: "shop", cluster: "other-gke" } },
                { labels: { alertname: "DiskAlmostFull", severity: "warning", ...at } },
                { labels: { alertname: "NewVersionDeployed", severity: "info", ...at } },
                { labels: { alertname: "Watchdog", severity: "none" } },
            ]);

            const pd = await until("the page", () => received.find((r) => r.path === "/pagerduty"));
            assert.equal(pd.body.routing_key, PLACEHOLDER_SECRETS.pagerdutyRoutingKey, "the routing key from the Secret");
            assert.equal(pd.body.event_action, "trigger");
            assert.match(pd.body.payload.summary, /CheckoutErrorBudgetBurn/);

            await until("#alerts messages", () => {
                const titles = slackTitles("#alerts");
                const want = [/CheckoutErrorBudgetBurn \(critical, prod-gke\)/, /CheckoutErrorBudgetBurn \(warning, other-gke\)/, /DiskAlmostFull \(warning, prod-gke\)/];
                return want.every((w) => titles.some((t) => w.test(t))) ? true : undefined;
            });
            await until("the #monitoring message", () => (slackTitles("#monitoring").some((t) => /NewVersionDeployed/.test(t)) ? true : undefined));
            const beat = await until("the heartbeat", () => received.find((r) => r.path === "/heartbeat"));
            assert.equal(beat.body.receiver, "heartbeat");
            assert.equal(beat.body.alerts[0].labels.alertname, "Watchdog");

            // Several group intervals later, the inhibited warning has still reached nobody.
            await new Promise((r) => setTimeout(r, 3000));
            const inhibited = (await (await fetch(`${apiUrl}/api/v2/alerts?filter=alertname="CheckoutErrorBudgetBurn"&filter=severity="warning"&filter=cluster="prod-gke"`)).json()) as any[];
            assert.equal(inhibited.length, 1);
            assert.equal(inhibited[0].status.state, "suppressed");
            assert.ok(inhibited[0].status.inhibitedBy.length > 0, "inhibited by the critical");
            assert.ok(!slackTitles("#alerts").some((t) => /CheckoutErrorBudgetBurn \(warning, prod-gke\)/.test(t)), slackTitles("#alerts").join("\n"));
            assert.ok(!slackTitles("#monitoring").some((t) => /Watchdog|CheckoutErrorBudgetBurn/.test(t)));
            assert.equal(received.filter((r) => r.path === "/pagerduty").every((r) => /CheckoutErrorBudgetBurn/.test(r.body.payload.summary)), true, "only the critical pages");
            assert.ok(!received.some((r) => r.path === "/slack" && /Watchdog/.test(JSON.stringify(r.body))), "the Watchdog never reaches Slack");
        });
    });
});
