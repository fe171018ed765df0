// The cert-manager preset (`certManager`): prod's hub scrapes the cert-manager the cluster already
// runs under job "cert-manager" and alerts on its certificates; dev does neither; bad settings are
// refused at their key path; the alerts fire on the failures they name and stay quiet otherwise.
import * as assert from "node:assert/strict";
import { scrapeMonitors } from "../components/metrics/scrape-targets";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import { prometheusRules } from "../components/sre/prometheus-rules";
import type { AlertingRule, RuleGroup } from "../components/sre/rules";
import type { Plan } from "../tools/offline/plan";
import { ofType, planVariant } from "./support/program";
import { promtoolTestRules } from "./support/prometheus-tools";
import { loadModels, objectProblems, type K8sObject } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const NS = "observability-platform";
const MONITOR_TYPE = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RUNBOOKS = "https://github.com/acme-corp/observability-platform/blob/main/docs/runbooks";

const resolve = resolveStack;

async function validate(objects: K8sObject[]): Promise<string[]> {
    await loadModels(objects);
    return objects.flatMap((o) => objectProblems(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`));
}

const groupsOf = (plan: Plan): RuleGroup[] =>
    ofType(plan, PROMETHEUS_RULE_TYPE).flatMap((r) => (r.inputs as { spec: { groups: RuleGroup[] } }).spec.groups);

describe("cert-manager preset", function () {
    this.timeout(180_000);
    let prod: Plan;
    let dev: Plan;
    before(async () => {
        prod = await planVariant("prod");
        dev = await planVariant("dev");
    });

    it("prod's hub scrapes cert-manager's controller Service as job cert-manager, keeping the certificates' namespace label", () => {
        const monitor = ofType(prod, MONITOR_TYPE).find((m) => m.name === "prod-gke-scrape-cert-manager");
        assert.ok(monitor, "no cert-manager ServiceMonitor in prod");
        assert.equal(monitor.provider, "prod-gke-k8s");
        assert.deepEqual(monitor.dependsOn, ["prod-gke-kube-prometheus-stack"]);
        assert.deepEqual(monitor.inputs, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "cert-manager", namespace: "cert-manager", labels: { "app.kubernetes.io/part-of": "observability-platform" } },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } },
                endpoints: [
                    {
                        port: "tcp-prometheus-servicemonitor",
                        honorLabels: true,
                        path: "/metrics",
                        interval: "30s",
                        relabelings: [{ action: "replace", targetLabel: "job", replacement: "cert-manager" }],
                    },
                ],
                // The long-term tier's per-target defaults (limits.scrape): ~10 series per certificate.
                sampleLimit: 20000,
                labelLimit: 20,
            },
        });
    });

    it("that ServiceMonitor validates against the CRD kube-prometheus-stack installs, and a broken one does not", async () => {
        const object = ofType(prod, MONITOR_TYPE).find((m) => m.name === "prod-gke-scrape-cert-manager")!.inputs as K8sObject;
        assert.deepEqual(await validate([object]), []);
        const broken = structuredClone(object);
        broken.spec.endpoints[0].honorLabels = "yes";
        assert.equal((await validate([broken])).length, 1);
    });

    it("prod's hub gets the cert-manager alert group next to the platform alerts, each with its runbook", () => {
        const group = groupsOf(prod).find((g) => g.name === "cert-manager");
        assert.ok(group, "no cert-manager group in prod");
        const rule = ofType(prod, PROMETHEUS_RULE_TYPE).find((r) => (r.inputs as any).spec.groups.includes(group));
        assert.equal(rule?.name, "prod-gke-platform-self-monitoring");
        assert.deepEqual(
            (group.rules as AlertingRule[]).map((r) => [r.alert, r.labels.severity, r.for, r.annotations.runbook_url]),
            [
                ["CertificateExpiringSoon", "warning", "1h", `${RUNBOOKS}/CertificateExpiringSoon.md`],
                ["CertificateExpiringSoon", "critical", "10m", `${RUNBOOKS}/CertificateExpiringSoon.md`],
                ["CertificateNotReady", "warning", "10m", `${RUNBOOKS}/CertificateNotReady.md`],
                ["CertManagerAbsent", "warning", "10m", `${RUNBOOKS}/CertManagerAbsent.md`],
            ],
        );
    });

    it("dev, where the preset is off, has neither the ServiceMonitor nor the alerts", () => {
        assert.equal(dev.settings.certManager.enabled, false);
        assert.deepEqual(ofType(dev, MONITOR_TYPE).filter((m) => m.name.endsWith("-cert-manager")), []);
        const rules = groupsOf(dev).flatMap((g) => g.rules as AlertingRule[]);
        assert.ok(rules.length > 0);
        assert.deepEqual(rules.filter((r) => /^Cert/.test(r.alert)), []);
    });

    it("a spoke, whose Prometheus does not scrape cert-manager, gets no cert-manager alerts", () => {
        const settings = resolve("prod", {
            clusters: [
                { name: "prod-gke", location: "asia-northeast3", role: "hub" },
                { name: "prod-edge", location: "asia-northeast3", role: "spoke" },
            ],
            fleet: { hub: { host: "fleet.prod.example.internal" } },
        });
        const names = (cluster: string) => prometheusRules(settings, cluster).flatMap((r) => r.groups.map((g) => g.name));
        assert.ok(names("prod-gke").includes("cert-manager"));
        assert.ok(!names("prod-edge").includes("cert-manager"));
        assert.ok(names("prod-edge").includes("observability-platform-self-monitoring"));
    });

    it("a stack's own selector, namespace and port replace the defaults whole", () => {
        const settings = resolve("prod", { certManager: { enabled: true, namespace: "security", selector: { app: "cm" }, port: "metrics" } });
        const monitor = scrapeMonitors(settings, "prod-gke").find((m) => m.metadata.name === "cert-manager")!;
        assert.equal(monitor.metadata.namespace, "security");
        assert.deepEqual(monitor.spec.selector, { matchLabels: { app: "cm" } });
        assert.equal((monitor.spec.endpoints as { port: string }[])[0].port, "metrics");
        const absent = prometheusRules(settings, "prod-gke")
            .flatMap((r) => r.groups.flatMap((g) => g.rules as AlertingRule[]))
            .find((r) => r.alert === "CertManagerAbsent");
        assert.equal(absent?.labels.namespace, "security");
    });

    describe("refuses, naming the exact key", () => {
        const cases: { name: string; set: Record<string, unknown>; key: string; expected: RegExp }[] = [
            { name: "enabled that is not a boolean", set: { certManager: { enabled: "yes" } }, key: "certManager.enabled", expected: /true or false/ },
            { name: "a selector label value Kubernetes refuses", set: { certManager: { enabled: true, selector: { app: "cert manager" } } }, key: "certManager.selector.app", expected: /label value/ },
            { name: "a namespace Kubernetes refuses", set: { certManager: { enabled: true, namespace: "Cert_Manager" } }, key: "certManager.namespace", expected: /namespace name/ },
            { name: "an empty selector", set: { certManager: { enabled: true, selector: {} } }, key: "certManager.selector", expected: /at least one label/ },
            { name: "a port name no Service can have", set: { certManager: { enabled: true, port: "TCP_metrics" } }, key: "certManager.port", expected: /port name/ },
            { name: "a misspelt key", set: { certManager: { enabled: true, selektor: { app: "cm" } } }, key: "certManager.selektor", expected: /did you mean "selector"/ },
            {
                name: "a scrape entry that takes the preset's job",
                set: { scrape: [{ name: "cert-manager", namespace: "cert-manager", selector: { app: "cert-manager" }, port: "http" }] },
                key: "scrape[0].name",
                expected: /other than "cert-manager", which certManager.enabled declares/,
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const lines = refusedKeys(c.set);
                assert.deepEqual([...lines.keys()], [`${NS}:${c.key}`]);
                assert.match(lines.get(`${NS}:${c.key}`)!, c.expected);
            });
        }
    });

    describe("the alerts (promtool, on prod's planned group)", () => {
        let group: RuleGroup;
        before(() => {
            group = groupsOf(prod).find((g) => g.name === "cert-manager")!;
        });
        const labels = (severity: string, extra: Record<string, string>) => ({ severity, cluster: "prod-gke", component: "cert-manager", ...extra });
        const cert = (name: string) => ({ namespace: "shop", name });
        const series = (metric: string, l: Record<string, string>) =>
            `${metric}{${Object.entries({ job: "cert-manager", ...l }).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
        const check = (tests: unknown[]) => {
            const r = promtoolTestRules([group], tests);
            assert.equal(r.status, 0, r.output);
        };
        const DAY = 86_400;

        it("CertificateExpiringSoon: a warning under 14 days, a page under 3, nothing for a healthy, unissued or short-lived certificate renewing on time", () => {
            // promtool starts at time() = 0, so a value is the seconds left at the start.
            const expiry = (name: string, secondsLeft: number) => ({ series: series("certmanager_certificate_expiration_timestamp_seconds", cert(name)), values: `${secondsLeft}x180` });
            const renewal = (name: string, at: number) => ({ series: series("certmanager_certificate_renewal_timestamp_seconds", cert(name)), values: `${at}x180` });
            check([
                {
                    interval: "1m",
                    input_series: [
                        expiry("soon", 10 * DAY),
                        expiry("imminent", 2 * DAY),
                        expiry("healthy", 60 * DAY),
                        expiry("unissued", 0),
                        // Renewal overdue since second 60: alerts like one without a renewal time.
                        expiry("overdue", 10 * DAY),
                        renewal("overdue", 60),
                        // A one-day certificate cert-manager will renew 16 hours from now: by design.
                        expiry("short-lived", DAY),
                        renewal("short-lived", 16 * 3600),
                    ],
                    alert_rule_test: [
                        // Before their `for`: nothing, then only the page.
                        { eval_time: "5m", alertname: "CertificateExpiringSoon", exp_alerts: [] },
                        { eval_time: "30m", alertname: "CertificateExpiringSoon", exp_alerts: [{ exp_labels: labels("critical", cert("imminent")) }] },
                        {
                            eval_time: "2h",
                            alertname: "CertificateExpiringSoon",
                            exp_alerts: [
                                { exp_labels: labels("warning", cert("soon")) },
                                { exp_labels: labels("warning", cert("overdue")) },
                                { exp_labels: labels("warning", cert("imminent")) },
                                { exp_labels: labels("critical", cert("imminent")) },
                            ],
                        },
                    ],
                },
            ]);
        });

        it("CertificateNotReady: after 10 minutes of Ready=False, not for a ready certificate or a brief failure", () => {
            const ready = (name: string, condition: string, values: string) => ({
                series: series("certmanager_certificate_ready_status", { ...cert(name), condition }),
                values,
            });
            check([
                {
                    interval: "1m",
                    input_series: [
                        ready("failing", "False", "1x40"),
                        ready("failing", "True", "0x40"),
                        ready("fine", "False", "0x40"),
                        ready("fine", "True", "1x40"),
                        // Not ready for 5 minutes while it was issued, then ready.
                        ready("brief", "False", "1x5 0x35"),
                        ready("brief", "True", "0x5 1x35"),
                    ],
                    alert_rule_test: [
                        { eval_time: "8m", alertname: "CertificateNotReady", exp_alerts: [] },
                        { eval_time: "20m", alertname: "CertificateNotReady", exp_alerts: [{ exp_labels: labels("warning", cert("failing")) }] },
                    ],
                },
            ]);
        });

        it("CertManagerAbsent: when no cert-manager target is scraped, or its scrapes fail, not while one is up", () => {
            const up = (job: string, values: string) => ({ series: `up{job="${job}",namespace="cert-manager"}`, values });
            const absent = [{ exp_labels: labels("warning", { job: "cert-manager", namespace: "cert-manager" }) }];
            check([
                {
                    interval: "1m",
                    input_series: [up("cert-manager", "1x40"), up("other", "1x40")],
                    alert_rule_test: [{ eval_time: "30m", alertname: "CertManagerAbsent", exp_alerts: [] }],
                },
                {
                    // Gone from discovery.
                    interval: "1m",
                    input_series: [up("other", "1x40")],
                    alert_rule_test: [
                        { eval_time: "5m", alertname: "CertManagerAbsent", exp_alerts: [] },
                        { eval_time: "15m", alertname: "CertManagerAbsent", exp_alerts: absent },
                    ],
                },
                {
                    // Discovered, but every scrape fails.
                    interval: "1m",
                    input_series: [up("cert-manager", "0x40")],
                    alert_rule_test: [{ eval_time: "15m", alertname: "CertManagerAbsent", exp_alerts: absent }],
                },
            ]);
        });
    });
});
