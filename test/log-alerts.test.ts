// Log alerts (`logAlerts`) and the platform's Kubernetes-event alerts: refused at their key path when
// malformed, written as hand-checked LogQL rules that the LogQL grammar parses, delivered to Loki's
// ruler through the rules sidecar in both deployment modes (checked on the rendered chart), and sent
// to the hub's Alertmanager with the severities it routes by.
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import type { Plan } from "../tools/offline/plan";
import { parseErrors } from "./support/query-grammars";
import { planVariant } from "./support/program";
import { renderedConfig } from "./support/rendered-checks";
import { renderedStack } from "./support/rendered-stacks";
import type { K8sObject, RenderedPlan } from "./support/rendered";
import { refusedKeys, resolveStack } from "./support/stack-settings";

const RUNBOOKS = "https://github.com/acme-corp/observability-platform/blob/main/docs/runbooks";
const k = (key: string) => `observability-platform:${key}`;
const CONFIGMAP_TYPE = "kubernetes:core/v1:ConfigMap";

const ruleConfigMaps = (plan: Plan) =>
    plan.resources.filter((r) => r.type === CONFIGMAP_TYPE && (r.inputs as any).metadata?.labels?.loki_rule !== undefined);
const ruleFile = (plan: Plan) => {
    const [cm, ...more] = ruleConfigMaps(plan);
    assert.ok(cm, "a rule ConfigMap");
    assert.equal(more.length, 0);
    return parse((cm.inputs as any).data["observability-platform.yaml"]) as { groups: any[] };
};
const allRules = (plan: Plan) => ruleFile(plan).groups.flatMap((g) => g.rules);

/**
 * The shape Loki's ruler reads (Prometheus' rule file with LogQL expressions). A hand-written check,
 * a weaker fallback: no Loki binary or lokitool is available offline (Debian has none), and promtool
 * would refuse LogQL as PromQL.
 */
function ruleFileProblems(file: { groups: any[] }): string[] {
    const problems: string[] = [];
    if (!Array.isArray(file.groups) || file.groups.length === 0) return ["no groups"];
    const names = new Set<string>();
    for (const g of file.groups) {
        if (typeof g.name !== "string" || names.has(g.name)) problems.push(`group name ${g.name} missing or repeated`);
        names.add(g.name);
        if (g.interval !== undefined && !/^[1-9][0-9]*[smh]$/.test(g.interval)) problems.push(`${g.name}: interval ${g.interval}`);
        for (const key of Object.keys(g)) if (!["name", "interval", "rules", "limit"].includes(key)) problems.push(`${g.name}: unknown key ${key}`);
        for (const r of g.rules ?? []) {
            for (const key of Object.keys(r)) if (!["alert", "record", "expr", "for", "labels", "annotations"].includes(key)) problems.push(`${r.alert}: unknown key ${key}`);
            if (typeof r.alert !== "string" || !/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(r.alert)) problems.push(`alert name ${r.alert}`);
            if (typeof r.expr !== "string" || r.expr === "") problems.push(`${r.alert}: no expr`);
            if (r.for !== undefined && !/^(0|[0-9]+[smh])+$/.test(r.for)) problems.push(`${r.alert}: for ${r.for}`);
            if (!["critical", "warning", "info"].includes(r.labels?.severity)) problems.push(`${r.alert}: severity ${r.labels?.severity}`);
            for (const v of Object.values({ ...r.labels, ...r.annotations })) if (typeof v !== "string") problems.push(`${r.alert}: a label or annotation that is not a string`);
            if (!/^https:\/\//.test(r.annotations?.runbook_url ?? "")) problems.push(`${r.alert}: no runbook_url`);
            if (!r.annotations?.summary) problems.push(`${r.alert}: no summary`);
        }
    }
    return problems;
}

describe("log alerts", function () {
    this.timeout(180_000);
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await planVariant("dev");
        prod = await planVariant("prod");
    });

    describe("config", () => {
        it("reads prod's error-burst alerts with their defaults", () => {
            const s = resolveStack("prod");
            assert.deepEqual(
                s.logAlerts.map((a) => [a.name, a.threshold, a.for, a.severity]),
                [
                    ["OjeomneoServerErrorLogBurst", 50, "5m", "warning"],
                    ["ReviewmapsServerErrorLogBurst", 50, "5m", "warning"],
                    ["ReviewmapsAdminErrorLogBurst", 20, "10m", "info"],
                ],
            );
            const minimal = resolveStack("dev", { logAlerts: [{ name: "ShopErrors", expr: 'sum by (cluster) (count_over_time({namespace="shop"} [5m]))', threshold: 3, severity: "critical" }] });
            assert.equal(minimal.logAlerts[0].for, "5m");
            assert.equal(minimal.logAlerts[0].runbook, undefined);
        });

        it("refuses a malformed entry at its key path, saying what was expected", () => {
            const good = { name: "ShopErrors", expr: 'sum by (cluster) (count_over_time({namespace="shop"} [5m]))', threshold: 3, severity: "warning" };
            const refused = refusedKeys({
                logAlerts: [
                    { ...good, name: "shop-errors" },
                    { ...good, name: "A1", expr: '{namespace="shop"} |= "error"' },
                    { ...good, name: "A2", expr: 'sum(count_over_time({namespace="shop"} [5m])) > 3' },
                    { ...good, name: "A3", threshold: -1 },
                    { ...good, name: "A4", severity: "page" },
                    { ...good, name: "A5", for: "five minutes" },
                    { ...good, name: "A6", runbook: "docs/runbooks/a6.md" },
                    { ...good, name: "A7", summary: "two\nlines" },
                    { ...good, name: "A8", labels: { team: "x" } },
                    { ...good, name: "A9", expr: 'sum(count_over_time({namespace="shop"} [5m])' },
                ],
            });
            assert.match(refused.get(k("logAlerts[0].name")) ?? "", /an alert name in CamelCase/);
            assert.match(refused.get(k("logAlerts[1].expr")) ?? "", /a LogQL metric query over a range/);
            assert.match(refused.get(k("logAlerts[2].expr")) ?? "", /without its own comparison: the threshold key adds it/);
            assert.match(refused.get(k("logAlerts[3].threshold")) ?? "", /at least 0/);
            assert.match(refused.get(k("logAlerts[4].severity")) ?? "", /one of "critical" \| "warning" \| "info"/);
            assert.match(refused.get(k("logAlerts[5].for")) ?? "", /a duration such as "5m"/);
            assert.match(refused.get(k("logAlerts[6].runbook")) ?? "", /an http\(s\) URL/);
            assert.match(refused.get(k("logAlerts[7].summary")) ?? "", /on one line/);
            assert.match(refused.get(k("logAlerts[8].labels")) ?? "", /one of the keys name, expr, threshold, for, severity, runbook, summary/);
            assert.match(refused.get(k("logAlerts[9].expr")) ?? "", /balanced parentheses \(2 opened, 1 closed\)/);
        });

        it("refuses two alerts of one name, and one taking a platform event alert's name", () => {
            const a = { name: "ShopErrors", expr: 'sum by (cluster) (count_over_time({namespace="shop"} [5m]))', threshold: 3, severity: "warning" };
            const refused = refusedKeys({ logAlerts: [a, a, { ...a, name: "KubeEventsOOMKilling" }] });
            assert.match(refused.get(k("logAlerts[1].name")) ?? "", /an alert name no other log alert has/);
            assert.match(refused.get(k("logAlerts[2].name")) ?? "", /a name other than the platform's event alerts/);
            assert.equal(refused.has(k("logAlerts[0].name")), false);
        });
    });

    describe("rules", () => {
        it("turns prod's first log alert into this rule, routed like the Prometheus alerts", () => {
            const rule = allRules(prod).find((r) => r.alert === "OjeomneoServerErrorLogBurst");
            assert.deepEqual(rule, {
                alert: "OjeomneoServerErrorLogBurst",
                expr: 'sum by (cluster, namespace, app) (count_over_time({namespace="ojeomneo", app="ojeomneo-server", level=~"(?i)error"} [5m])) > 50',
                for: "5m",
                labels: { severity: "warning", component: "logs" },
                annotations: {
                    summary: "ojeomneo-server logs more than 50 errors in 5 minutes",
                    description: "The LogQL query of log alert OjeomneoServerErrorLogBurst is {{ $value }}, over 50, in {{ $labels.cluster }}.",
                    runbook_url: "https://github.com/acme-corp/ojeomneo/blob/main/docs/runbooks/error-logs.md",
                },
            });
        });

        it("alerts on repeated OOM kills, scheduling failures and image pull failures from the events, per object, in every stack", () => {
            for (const plan of [dev, prod]) {
                const events = ruleFile(plan).groups.find((g) => g.name === "observability-platform-kubernetes-events");
                assert.ok(events, plan.settings.stack);
                assert.deepEqual(
                    events.rules.map((r: any) => [r.alert, r.expr, r.labels.severity, r.annotations.runbook_url]),
                    [
                        [
                            "KubeEventsOOMKilling",
                            'sum by (cluster, namespace, kind, name) (count_over_time({job="kubernetes-events"} | logfmt | reason="OOMKilling" [30m])) > 2',
                            "warning",
                            `${RUNBOOKS}/KubeEventsOOMKilling.md`,
                        ],
                        [
                            "KubeEventsFailedScheduling",
                            'sum by (cluster, namespace, kind, name) (count_over_time({job="kubernetes-events"} | logfmt | reason="FailedScheduling" [15m])) > 5',
                            "warning",
                            `${RUNBOOKS}/KubeEventsFailedScheduling.md`,
                        ],
                        [
                            "KubeEventsImagePullBackOff",
                            'sum by (cluster, namespace, kind, name) (count_over_time({job="kubernetes-events"} |~ "ErrImagePull|ImagePullBackOff|Back-off pulling image" | logfmt | reason=~"Failed|BackOff" [15m])) > 3',
                            "warning",
                            `${RUNBOOKS}/KubeEventsImagePullBackOff.md`,
                        ],
                    ],
                );
            }
            // dev declares no log alerts of its own: only the event group.
            assert.deepEqual(ruleFile(dev).groups.map((g) => g.name), ["observability-platform-kubernetes-events"]);
        });

        it("writes only expressions the LogQL grammar parses, and the grammar finds a broken one", () => {
            for (const plan of [dev, prod]) {
                for (const r of allRules(plan)) assert.deepEqual(parseErrors("logql", r.expr), [], `${r.alert}: ${r.expr}`);
            }
            assert.notDeepEqual(parseErrors("logql", 'sum by (cluster) (count_over_time({namespace="shop"} | logfmt | [5m])) > 3'), []);
            assert.notDeepEqual(parseErrors("logql", 'sum(count_over_time({namespace=shop} [5m])) > 3'), []);
        });

        it("writes a rule file of the shape Loki's ruler reads (hand-written check, no Loki tool offline), which catches a bad file", () => {
            for (const plan of [dev, prod]) assert.deepEqual(ruleFileProblems(ruleFile(plan)), []);
            const bad = structuredClone(ruleFile(prod));
            bad.groups[0].rules[0].labels.severity = "page";
            delete bad.groups[1].rules[0].annotations.runbook_url;
            bad.groups.push({ name: bad.groups[0].name, rules: [] });
            assert.equal(ruleFileProblems(bad).length, 3, ruleFileProblems(bad).join("; "));
        });

        it("gives every rule a runbook: the platform's own under docs/runbooks, a service's in its repository", () => {
            const fs = require("node:fs") as typeof import("node:fs");
            for (const r of allRules(prod)) {
                const url: string = r.annotations.runbook_url;
                if (url.startsWith(`${RUNBOOKS}/`)) assert.ok(fs.existsSync(`${__dirname}/../docs/runbooks/${url.slice(RUNBOOKS.length + 1)}`), url);
                else assert.match(url, /^https:\/\/github\.com\/acme-corp\/(ojeomneo|reviewmaps)\//);
            }
        });
    });

    describe("delivery to the ruler", () => {
        it("declares one labelled rule ConfigMap in Loki's namespace on the hub, with Loki's ruler pointed at the hub's Alertmanager", () => {
            for (const plan of [dev, prod]) {
                const [cm] = ruleConfigMaps(plan);
                const inputs = cm.inputs as any;
                assert.equal(inputs.metadata.name, "loki-rules-platform");
                assert.equal(inputs.metadata.namespace, "logging");
                assert.equal(inputs.metadata.labels.loki_rule, "true");
                assert.equal(cm.provider, `${plan.settings.clusters[0].name}-k8s`);
                const loki = plan.releases.find((r) => r.chart === "loki")!.values as any;
                assert.equal(loki.loki.rulerConfig.alertmanager_url, "http://kube-prometheus-stack-alertmanager.monitoring.svc:9093");
                assert.deepEqual(loki.loki.rulerConfig.storage, { type: "local", local: { directory: "/rules" } });
                assert.equal(loki.sidecar.rules.folder, `/rules/${plan.settings.stack}`);
            }
        });

        /** The pods that run Loki's ruler and their rules sidecar, as the chart renders them. */
        function rulerPods(rp: RenderedPlan, component: string): K8sObject[] {
            const loki = rp.releases.find((r) => r.release.chart === "loki")!;
            return loki.objects.filter((o) => o.kind === "StatefulSet" && o.spec.template.metadata.labels["app.kubernetes.io/component"] === component);
        }

        for (const [key, mode, component] of [
            ["prod", "Monolithic", "single-binary"],
            ["thanos", "Distributed", "ruler"],
        ] as const) {
            it(`loads the ConfigMaps into <rules dir>/<tenant> of the ruler's local store in ${mode} mode (rendered chart)`, async () => {
                const rp = await renderedStack(key);
                const [pod, ...more] = rulerPods(rp, component);
                assert.ok(pod, `a ${component} StatefulSet`);
                assert.equal(more.length, 0);
                const containers: any[] = pod.spec.template.spec.containers;
                const sidecar = containers.find((c) => c.image.includes("k8s-sidecar"));
                assert.ok(sidecar, "the rules sidecar runs in the ruler's pod");
                const env = Object.fromEntries(sidecar.env.map((e: any) => [e.name, e.value]));
                assert.equal(env.LABEL, "loki_rule");
                assert.equal(env.LABEL_VALUE, "true");
                assert.equal(env.FOLDER, "/rules/prod");
                assert.equal(env.RESOURCE, "configmap");
                assert.ok(sidecar.resources.requests.cpu && sidecar.resources.requests.memory, "the sidecar requests resources");
                const loki = containers.find((c) => c.name === "loki" || c.name === "ruler");
                const volumeOf = (c: any, at: string) => c.volumeMounts.find((m: any) => m.mountPath === at)?.name;
                assert.ok(volumeOf(loki, "/rules/prod"), "Loki sees the sidecar's folder");
                assert.equal(volumeOf(loki, "/rules/prod"), volumeOf(sidecar, "/rules/prod"));
                const config = renderedConfig(rp.releases.find((r) => r.release.chart === "loki")!, "loki", "config.yaml");
                assert.deepEqual(config.ruler.storage, { type: "local", local: { directory: "/rules" } });
                assert.equal(config.ruler.alertmanager_url, "http://kube-prometheus-stack-alertmanager.monitoring.svc:9093");
                // Rule groups are spread over the rulers' ring, not evaluated by every replica.
                assert.equal(config.ruler.enable_sharding, true);
                assert.deepEqual(config.memberlist.join_members, ["loki-memberlist.logging.svc.cluster.local"]);
                // The platform writes every signal as the stack's tenant: the store's folder is that tenant's.
                assert.equal(config.auth_enabled, true);
            });
        }

        it("lets the sidecar read ConfigMaps of Loki's namespace only (a Role, no ClusterRole)", async () => {
            const loki = (await renderedStack("prod")).releases.find((r) => r.release.chart === "loki")!;
            assert.deepEqual(loki.objects.filter((o) => o.kind === "ClusterRole"), []);
            const role = loki.objects.find((o) => o.kind === "Role")!;
            assert.equal(role.metadata.namespace, "logging");
        });
    });
});
