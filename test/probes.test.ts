// Probes (`probes`): the hub's blackbox exporter, rendered by Helm and run for real; the Probe
// objects against kube-prometheus-stack's Probe CRD; bad entries refused at their key path; the
// certificate expiry alerts and the probe SLO kind on hand-written series (promtool).
import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { parse } from "yaml";
import type { Settings } from "../components/config/schema";
import { platformDashboards } from "../components/dashboards/catalog";
import { PLATFORM_COMPONENTS } from "../components/dashboards/inputs";
import { queriesOf } from "./support/dashboard-queries";
import { sloDashboardSources } from "../components/dashboards/slo-sources";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import type { RuleGroup } from "../components/sre/rules";
import { serviceSloGroups } from "../components/sre/slo-rules";
import { renderReleases } from "../tools/charts/render";
import type { Plan } from "../tools/offline/plan";
import { podSecurityViolations } from "./support/pod-security";
import { blackboxExporterPath, promtoolTestRules } from "./support/prometheus-tools";
import { ofType, planVariant } from "./support/program";
import { parseErrors } from "./support/query-grammars";
import { loadModels, objectProblems, parseManifest, type K8sObject } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const NS = "observability-platform";
const PROBE = "kubernetes:monitoring.coreos.com/v1:Probe";
const EXPORTER = "prometheus-blackbox-exporter.monitoring.svc:9115";

const probeObject = (name: string, module: string, target: string, labels?: Record<string, string>) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name, namespace: "monitoring", labels: { "app.kubernetes.io/part-of": "observability-platform" } },
    spec: {
        jobName: name,
        module,
        interval: "30s",
        prober: { url: EXPORTER, scheme: "http", path: "/probe" },
        targets: { staticConfig: { static: [target], ...(labels ? { labels } : {}) } },
    },
});

const probesOf = (plan: Plan) => ofType(plan, PROBE);

describe("probes", function () {
    this.timeout(180_000);
    let prod: Plan;
    before(async () => {
        prod = await planVariant("prod");
    });

    it("prod runs one blackbox exporter on the hub, in monitoring, after kube-prometheus-stack, restricted and with its tier's requests", () => {
        const [exporter, ...more] = prod.releases.filter((r) => r.chart === "prometheus-blackbox-exporter");
        assert.equal(more.length, 0);
        assert.deepEqual(
            [exporter.resource, exporter.releaseName, exporter.namespace, exporter.version, exporter.repo, exporter.dependsOn.includes("prod-gke-kube-prometheus-stack")],
            ["prod-gke-prometheus-blackbox-exporter", "prometheus-blackbox-exporter", "monitoring", "11.17.2", "https://prometheus-community.github.io/helm-charts", true],
        );
        assert.deepEqual(exporter.values.resources, { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } });
        assert.deepEqual(exporter.values.image, { registry: "quay.io", repository: "prometheus/blackbox-exporter", tag: "v0.28.0" });
        assert.deepEqual(exporter.values.serviceMonitor, { enabled: false });
    });

    it("prod probes Grafana's health URL, and the platform's Grafana ingress and webhook certificates, each under its own job, after the exporter", () => {
        const probes = probesOf(prod);
        assert.deepEqual(
            probes.map((p) => [p.name, p.provider, p.dependsOn]),
            [
                ["prod-gke-probe-grafana-health", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack", "prod-gke-prometheus-blackbox-exporter"]],
                ["prod-gke-probe-platform-grafana-ingress-tls", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack", "prod-gke-prometheus-blackbox-exporter"]],
                ["prod-gke-probe-platform-otel-operator-webhook-tls", "prod-gke-k8s", ["prod-gke-kube-prometheus-stack", "prod-gke-prometheus-blackbox-exporter"]],
            ],
        );
        assert.deepEqual(
            probes.map((p) => p.inputs),
            [
                probeObject("grafana-health", "http_2xx", "https://grafana.prod.acme-corp.example/api/health", { team: "platform" }),
                probeObject("platform-grafana-ingress-tls", "tls_skip_verify", "grafana.prod.acme-corp.example:443"),
                probeObject("platform-otel-operator-webhook-tls", "tls_skip_verify", "opentelemetry-operator-webhook.tracing.svc:443"),
            ],
        );
    });

    it("a hub with spokes also probes the fleet gateway's certificate; a hub without Grafana exposed and without probes only the webhook's", async () => {
        const fleet = await planVariant("prod", {
            set: {
                clusters: [
                    { name: "prod-gke", location: "asia-northeast3", role: "hub" },
                    { name: "edge", location: "us-east1", role: "spoke" },
                ],
                fleet: { hub: { host: "fleet.example.com" } },
                probes: [],
            },
        });
        assert.deepEqual(
            probesOf(fleet).map((p) => [p.provider, (p.inputs as any).spec.targets.staticConfig.static[0], (p.inputs as any).spec.module]),
            [
                ["prod-gke-k8s", "fleet-gateway.monitoring.svc:443", "tls_skip_verify"],
                ["prod-gke-k8s", "grafana.prod.acme-corp.example:443", "tls_skip_verify"],
                ["prod-gke-k8s", "opentelemetry-operator-webhook.tracing.svc:443", "tls_skip_verify"],
            ],
        );
        // The spoke runs no exporter.
        assert.deepEqual(fleet.releases.filter((r) => r.chart === "prometheus-blackbox-exporter").map((r) => r.resource), ["prod-gke-prometheus-blackbox-exporter"]);
        const dev = await planVariant("dev");
        assert.deepEqual(probesOf(dev).map((p) => p.name), ["dev-gke-probe-platform-otel-operator-webhook-tls"]);
    });

    it("the Probes validate against the Probe CRD kube-prometheus-stack installs, and broken ones do not", async () => {
        const objects = probesOf(prod).map((r) => r.inputs as K8sObject);
        await loadModels(objects);
        assert.deepEqual(objects.flatMap((o) => objectProblems(o)), []);
        const broken = structuredClone(objects[0]);
        broken.spec.targets.staticConfig.static = "https://example.com";
        assert.ok(objectProblems(broken).some((p) => p.includes("/spec/targets/staticConfig/static")), objectProblems(broken).join("; "));
        const badInterval = structuredClone(objects[0]);
        badInterval.spec.interval = "soon";
        assert.ok(objectProblems(badInterval).some((p) => p.includes("/spec/interval")), objectProblems(badInterval).join("; "));
    });

    describe("refuses bad entries at their key path", () => {
        const ok = { name: "shop", url: "https://shop.example.com/healthz", module: "http_2xx" };
        it("URLs that do not suit their module, unknown modules, reserved labels, bad intervals and unknown keys", () => {
            const keys = refusedKeys({
                probes: [
                    { ...ok, name: "p0", url: "shop.example.com:443" },
                    { ...ok, name: "p1", url: "ftp://shop.example.com/" },
                    { ...ok, name: "p2", url: "https://user:hunter2@shop.example.com/" },
                    { ...ok, name: "p3", module: "tcp" },
                    { ...ok, name: "p4", module: "icmp" },
                    { ...ok, name: "p5", labels: { job: "other" } },
                    { ...ok, name: "p6", labels: { __scheme__: "http" } },
                    { ...ok, name: "p7", interval: "5m" },
                    { ...ok, name: "P8" },
                    { ...ok, name: "p9", timeout: "3s" },
                    { ...ok, name: "p10", module: "tls", url: "shop.example.com:70000" },
                ],
            });
            assert.deepEqual(
                [...keys.keys()].sort(),
                [
                    `${NS}:probes[0].url`,
                    `${NS}:probes[1].url`,
                    `${NS}:probes[2].url`,
                    `${NS}:probes[3].url`,
                    `${NS}:probes[4].module`,
                    `${NS}:probes[5].labels.job`,
                    `${NS}:probes[6].labels.__scheme__`,
                    `${NS}:probes[7].interval`,
                    `${NS}:probes[8].name`,
                    `${NS}:probes[9].timeout`,
                    `${NS}:probes[10].url`,
                ].sort(),
            );
            assert.match(keys.get(`${NS}:probes[3].url`)!, /host:port/);
            assert.match(keys.get(`${NS}:probes[4].module`)!, /"http_2xx" \| "tcp" \| "tls"/);
            // A password in a URL is refused without being repeated.
            assert.ok(!keys.get(`${NS}:probes[2].url`)!.includes("hunter2"), keys.get(`${NS}:probes[2].url`));
        });
        it("duplicate names and the platform's own probe names", () => {
            const keys = refusedKeys({ probes: [ok, { ...ok, url: "https://other.example.com/" }, { ...ok, name: "platform-fleet-gateway-tls" }] });
            assert.deepEqual([...keys.keys()], [`${NS}:probes[1].name`, `${NS}:probes[2].name`]);
            assert.match(keys.get(`${NS}:probes[2].name`)!, /the platform's own probes/);
        });
        it("accepts tcp and tls on host:port, with labels and an interval", () => {
            const s = resolveStack("prod", {
                probes: [
                    { name: "db", url: "10.0.0.5:5432", module: "tcp", interval: "1m" },
                    { name: "api-tls", url: "api.example.com:443", module: "tls", labels: { team: "shop" } },
                ],
            });
            assert.deepEqual(s.probes, [
                { name: "db", url: "10.0.0.5:5432", module: "tcp", interval: "1m" },
                { name: "api-tls", url: "api.example.com:443", module: "tls", labels: { team: "shop" } },
            ]);
        });
    });

    describe("the rendered chart", () => {
        let objects: K8sObject[];
        let config: { modules: Record<string, { prober: string }> };
        before(async () => {
            const release = prod.releases.find((r) => r.chart === "prometheus-blackbox-exporter")!;
            const [rendered] = await renderReleases([release]);
            assert.ok(rendered.manifest, rendered.skipped);
            objects = parseManifest(rendered.manifest);
            const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "prometheus-blackbox-exporter")!;
            config = parse(cm.data["blackbox.yaml"]);
        });
        const deployment = () => objects.find((o) => o.kind === "Deployment")!;

        it("renders objects the Kubernetes schema accepts: a Deployment that passes restricted Pod Security with the settings' resources, and the Service the Probes name", async () => {
            await loadModels(objects);
            assert.deepEqual(objects.flatMap((o) => objectProblems(o).map((p) => `${o.kind}: ${p}`)), []);
            const pod = deployment().spec.template.spec;
            assert.deepEqual(podSecurityViolations(pod, "restricted"), []);
            assert.equal(deployment().metadata.namespace, "monitoring");
            assert.deepEqual(pod.containers.map((c: any) => [c.image, c.resources]), [
                ["quay.io/prometheus/blackbox-exporter:v0.28.0", { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } }],
            ]);
            const service = objects.find((o) => o.kind === "Service")!;
            assert.equal(`${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}`, EXPORTER);
            // The NetworkPolicies select the exporter's pods by this label.
            assert.equal(deployment().spec.template.metadata.labels["app.kubernetes.io/name"], "prometheus-blackbox-exporter");
        });

        it("defines every module a Probe names, and nothing else", () => {
            const named = new Set(probesOf(prod).map((p) => (p.inputs as any).spec.module));
            for (const m of named) assert.ok(config.modules[m], `module ${m} is not in the rendered blackbox.yaml`);
            assert.deepEqual(Object.keys(config.modules).sort(), ["http_2xx", "tcp", "tls", "tls_skip_verify"]);
        });

        describe("run by the real blackbox exporter", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blackbox-"));
            const children: ChildProcess[] = [];
            after(() => {
                for (const c of children) c.kill();
                fs.rmSync(dir, { recursive: true, force: true });
            });

            it("accepts the rendered config (--config.check)", () => {
                fs.writeFileSync(path.join(dir, "blackbox.yaml"), objects.find((o) => o.kind === "ConfigMap")!.data["blackbox.yaml"]);
                const r = spawnSync(blackboxExporterPath(), [`--config.file=${path.join(dir, "blackbox.yaml")}`, "--config.check"], { encoding: "utf8" });
                assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
            });

            it("reads a self-signed certificate's expiry with tls_skip_verify, and fails the verifying tls module on it", async () => {
                // A certificate valid for 10 days, as a chart's self-signed webhook certificate is.
                const key = path.join(dir, "key.pem");
                const cert = path.join(dir, "cert.pem");
                const gen = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "10", "-subj", "/CN=webhook.test"], { encoding: "utf8" });
                assert.equal(gen.status, 0, gen.stderr);
                const notAfter = spawnSync("openssl", ["x509", "-in", cert, "-noout", "-enddate"], { encoding: "utf8" }).stdout.trim().replace(/^notAfter=/, "");
                const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (s) => s.end());
                await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
                const tlsPort = (server.address() as net.AddressInfo).port;
                const exporterPort = await freePort();
                const child = spawn(blackboxExporterPath(), [`--config.file=${path.join(dir, "blackbox.yaml")}`, `--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: "ignore" });
                children.push(child);
                try {
                    await waitFor(() => fetch(`http://127.0.0.1:${exporterPort}/-/healthy`).then((r) => r.ok));
                    const probe = async (module: string) => {
                        const text = await (await fetch(`http://127.0.0.1:${exporterPort}/probe?module=${module}&target=127.0.0.1:${tlsPort}`)).text();
                        return Object.fromEntries(text.split("\n").filter((l) => /^probe_(success|ssl_earliest_cert_expiry) /.test(l)).map((l) => l.split(" ") as [string, string]));
                    };
                    const skip = await probe("tls_skip_verify");
                    assert.equal(skip.probe_success, "1");
                    assert.equal(Number(skip.probe_ssl_earliest_cert_expiry), Date.parse(notAfter) / 1000);
                    const verifying = await probe("tls");
                    assert.deepEqual(verifying, { probe_success: "0" }, "no trusted chain: the handshake fails and reports no expiry");
                } finally {
                    child.kill();
                    server.close();
                }
            });
        });
    });

    describe("certificate expiry alerts (promtool)", () => {
        let groups: RuleGroup[];
        before(() => {
            const rule = ofType(prod, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring");
            groups = ((rule?.inputs as any).spec.groups as RuleGroup[]).filter((g) => g.name === "probes");
            assert.equal(groups.length, 1);
        });
        const check = (tests: unknown[]) => {
            const r = promtoolTestRules(groups, tests);
            assert.equal(r.status, 0, r.output);
        };
        const DAY = 86_400;
        const grafana = { job: "platform-grafana-ingress-tls", instance: "grafana.prod.acme-corp.example:443" };
        const webhook = { job: "platform-otel-operator-webhook-tls", instance: "opentelemetry-operator-webhook.tracing.svc:443" };
        const shop = { job: "shop", instance: "https://shop.example.com/" };
        const series = (metric: string, l: { job: string; instance: string }) => `${metric}{job="${l.job}",instance="${l.instance}"}`;
        const labels = (severity: string, l: object) => ({ severity, cluster: "prod-gke", component: "probes", ...l });

        it("warns an hour under 14 days left, pages 10 minutes under 7, and stays quiet with 20 days left", () => {
            check([
                {
                    interval: "1m",
                    input_series: [
                        // Unix seconds of notAfter; time() starts at 0.
                        { series: series("probe_ssl_earliest_cert_expiry", grafana), values: `${10 * DAY}x180` },
                        { series: series("probe_ssl_earliest_cert_expiry", webhook), values: `${5 * DAY}x180` },
                        { series: series("probe_ssl_earliest_cert_expiry", shop), values: `${20 * DAY}x180` },
                    ],
                    alert_rule_test: [
                        { eval_time: "5m", alertname: "ProbedCertificateExpiringSoon", exp_alerts: [] },
                        { eval_time: "30m", alertname: "ProbedCertificateExpiringSoon", exp_alerts: [{ exp_labels: labels("critical", webhook) }] },
                        {
                            eval_time: "2h",
                            alertname: "ProbedCertificateExpiringSoon",
                            exp_alerts: [{ exp_labels: labels("warning", grafana) }, { exp_labels: labels("warning", webhook) }, { exp_labels: labels("critical", webhook) }],
                        },
                    ],
                },
            ]);
        });

        it("keeps alerting on a certificate that has already expired (the platform's probes skip verification)", () => {
            check([
                {
                    interval: "1m",
                    input_series: [{ series: series("probe_ssl_earliest_cert_expiry", webhook), values: "0x90" }],
                    alert_rule_test: [{ eval_time: "80m", alertname: "ProbedCertificateExpiringSoon", exp_alerts: [{ exp_labels: labels("warning", webhook) }, { exp_labels: labels("critical", webhook) }] }],
                },
            ]);
        });

        it("BlackboxProbesAbsent warns once the webhook probe has reported nothing for 15 minutes", () => {
            check([
                {
                    interval: "1m",
                    input_series: [{ series: series("probe_success", shop), values: "1x30" }],
                    alert_rule_test: [
                        { eval_time: "14m", alertname: "BlackboxProbesAbsent", exp_alerts: [] },
                        { eval_time: "16m", alertname: "BlackboxProbesAbsent", exp_alerts: [{ exp_labels: labels("warning", { job: webhook.job }) }] },
                    ],
                },
                {
                    interval: "1m",
                    input_series: [{ series: series("probe_success", webhook), values: "1x30" }],
                    alert_rule_test: [{ eval_time: "20m", alertname: "BlackboxProbesAbsent", exp_alerts: [] }],
                },
            ]);
        });

        it("is evaluated on the hub only", async () => {
            const fleet = await planVariant("prod", {
                set: { clusters: [{ name: "prod-gke", location: "asia-northeast3", role: "hub" }, { name: "edge", location: "us-east1", role: "spoke" }], fleet: { hub: { host: "fleet.example.com" } } },
            });
            const groupsOn = (cluster: string) =>
                ofType(fleet, PROMETHEUS_RULE_TYPE)
                    .filter((r) => r.provider === `${cluster}-k8s`)
                    .flatMap((r) => ((r.inputs as any).spec.groups as RuleGroup[]).map((g) => g.name));
            assert.ok(groupsOn("prod-gke").includes("probes"));
            assert.ok(!groupsOn("edge").includes("probes"));
        });
    });

    describe("probe SLOs", () => {
        const probes = [{ name: "shop-home", url: "https://shop.example.com/", module: "http_2xx" }];
        const slo = (objective: Record<string, unknown>) => ({
            service: "shop",
            owner: "shop",
            runbookUrl: "https://example.com/runbooks/shop.md",
            objectives: [{ name: "home-probe", kind: "probe", target: 99.9, ...objective }],
        });

        it("refuses a probe SLO without a declared probe, or with the keys of the other kinds, and another kind naming a probe", () => {
            const keys = refusedKeys({
                probes,
                slos: [
                    slo({}),
                    { ...slo({ probe: "nope" }), service: "b" },
                    { ...slo({ probe: "shop-home", metric: "up", errorSelector: { code: "5.." }, minRequestRate: 1 }), service: "c" },
                    { ...slo({ kind: "availability", probe: "shop-home" }), service: "d" },
                ],
            });
            const at = (i: number, key: string) => `${NS}:slos[${i}].objectives[0].${key}`;
            assert.deepEqual(
                [...keys.keys()].sort(),
                [at(0, "probe"), at(1, "probe"), at(2, "metric"), at(2, "errorSelector"), at(2, "minRequestRate"), at(3, "probe"), at(3, "metric"), at(3, "selector"), at(3, "errorSelector")].sort(),
            );
            assert.match(keys.get(at(1, "probe"))!, /an entry of probes \(shop-home\)/);
        });

        describe("rules", () => {
            let settings: Settings;
            let groups: RuleGroup[];
            before(() => {
                settings = resolveStack("prod", { probes, slos: [slo({ probe: "shop-home" })] });
                groups = serviceSloGroups(settings.slos[0], { cluster: "prod-gke" });
            });
            const sloLabels = { service: "shop", slo: "home-probe", sloth_id: "shop-home-probe", sloth_service: "shop", sloth_slo: "home-probe" };
            const check = (tests: unknown[], interval?: string) => {
                const r = promtoolTestRules(groups, tests, interval);
                assert.equal(r.status, 0, r.output);
            };

            it("gets an error-budget dashboard but no service dashboard (a probe names no histogram), every rule and panel query valid PromQL", () => {
                const defs = platformDashboards({
                    ...sloDashboardSources(settings.slos),
                    platform: { components: new Set(PLATFORM_COMPONENTS), prometheusRemoteWrite: true, namespaces: ["monitoring"] },
                    datasourceUids: new Set(Object.values(DATASOURCE_UIDS)),
                });
                const mine = defs.filter((d) => ((d.model.tags ?? []) as string[]).includes("service:shop"));
                assert.deepEqual(mine.map((d) => (d.model.tags as string[]).includes("slo")), [true]);
                const queries = queriesOf(mine[0]).filter((q) => q.language === "promql");
                assert.ok(queries.length > 3);
                const exprs = groups.flatMap((g) => g.rules.map((r) => r.expr));
                assert.deepEqual([...queries.map((q) => q.text), ...exprs].flatMap((t) => parseErrors("promql", t)), []);
            });

            it("plans into prod like any SLO: its rule groups placed with the others, on the hub", async () => {
                const plan = await planVariant("prod", { set: { probes, slos: [slo({ probe: "shop-home" })] } });
                const names = ofType(plan, PROMETHEUS_RULE_TYPE).flatMap((r) => ((r.inputs as any).spec.groups as RuleGroup[]).map((g) => g.name));
                assert.ok(names.includes("slo-shop-home-probe") && names.includes("slo-meta-recordings-shop-home-probe"), names.join(", "));
            });

            it("reads probe_success of the probe's job", () => {
                const sli = groups[0].rules.find((r) => "record" in r && r.record === "slo:sli_error:ratio_rate5m")!;
                assert.equal(
                    (sli as { expr: string }).expr,
                    '((sum(count_over_time(probe_success{job="shop-home"}[5m])) - sum(sum_over_time(probe_success{job="shop-home"}[5m]))) / 300)\n/\n(sum(count_over_time(probe_success{job="shop-home"}[5m])) / 300)',
                );
            });

            it("records the share of failed probes over the window", () => {
                // Probes every minute; rules every 30s, so that the 5m window at 15m30s holds the
                // probes of minutes 11 to 15 whichever end of a range Prometheus includes: 2 of 5 fail.
                check(
                    [
                        {
                            interval: "1m",
                            input_series: [{ series: 'probe_success{job="shop-home",instance="https://shop.example.com/"}', values: "1 1 1 1 1 1 1 1 1 1 1 1 0 0 1 1 1 1 1 1 1" }],
                            promql_expr_test: [
                                { expr: "slo:sli_error:ratio_rate5m", eval_time: "15m30s", exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{${labelText({ ...sloLabels, sloth_window: "5m" })}}`, value: 0.4 }] },
                                { expr: "slo:sli_error:ratio_rate5m", eval_time: "19m30s", exp_samples: [{ labels: `slo:sli_error:ratio_rate5m{${labelText({ ...sloLabels, sloth_window: "5m" })}}`, value: 0 }] },
                            ],
                        },
                    ],
                    "30s",
                );
            });

            it("pages (and tickets) when every probe fails, and reports the SLI missing when the probe reports nothing", () => {
                const alertLabels = (severity: string) => ({ severity, ...sloLabels, owner: "shop", cluster: "prod-gke" });
                check([
                    {
                        interval: "1m",
                        input_series: [{ series: 'probe_success{job="shop-home",instance="https://shop.example.com/"}', values: "0x120" }],
                        alert_rule_test: [{ eval_time: "65m", alertname: "ShopHomeProbeErrorBudgetBurn", exp_alerts: [{ exp_labels: alertLabels("critical") }, { exp_labels: alertLabels("warning") }] }],
                    },
                    {
                        interval: "1m",
                        input_series: [{ series: 'probe_success{job="other",instance="x"}', values: "1x30" }],
                        // absent() keeps the selector's job; the alert's labels name the SLO, without sloth_id.
                        alert_rule_test: [
                            {
                                eval_time: "20m",
                                alertname: "ShopHomeProbeSLIMissing",
                                exp_alerts: [{ exp_labels: { severity: "warning", service: "shop", slo: "home-probe", sloth_service: "shop", sloth_slo: "home-probe", owner: "shop", cluster: "prod-gke", job: "shop-home" } }],
                            },
                        ],
                    },
                ]);
            });
        });
    });
});

const labelText = (l: Record<string, string>) =>
    Object.entries(l)
        .map(([k, v]) => `${k}="${v}"`)
        .join(",");

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (await ready().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the blackbox exporter did not become healthy");
}
