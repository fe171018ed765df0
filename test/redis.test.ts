// The Redis preset (`redis`): an exporter release per instance on the hub, in the instance's own
// namespace with its password from the existing Secret; bad entries refused at their key path; the
// Redis alerts fire, and stay quiet, on hand-written series.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import type { RuleGroup } from "../components/sre/rules";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import type { Plan } from "../tools/offline/plan";
import { promtoolTestRules } from "./support/prometheus-tools";
import { ofType, planVariant } from "./support/program";

const NS = "observability-platform";

/** The lines of the ConfigError of a prod variant, by the key each names. */
async function refusedKeys(redis: unknown): Promise<Map<string, string>> {
    try {
        await planVariant("prod", { set: { redis } });
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        const lines = err.message.split("\n").filter((l) => l.startsWith("  - "));
        return new Map(lines.map((l) => [l.slice(4, l.indexOf(": expected ")), l]));
    }
    assert.fail("the config was accepted");
}

const exporterValues = (name: string, namespace: string, secret: string) => ({
    image: { repository: "oliver006/redis_exporter", tag: "v1.89.0" },
    redisAddress: `redis://${name}.${namespace}.svc:6379`,
    auth: { enabled: true, secret: { name: secret, key: "redis-password" } },
    serviceMonitor: { enabled: true, interval: "30s", relabelings: [{ action: "replace", targetLabel: "job", replacement: name }] },
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    rbac: { create: false },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 59000, runAsGroup: 59000, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
});

describe("Redis preset", function () {
    this.timeout(180_000);
    let prod: Plan;
    before(async () => {
        prod = await planVariant("prod");
    });

    it("prod runs one exporter per Redis instance on the hub, in the instance's namespace, after kube-prometheus-stack", () => {
        const exporters = prod.releases.filter((r) => r.chart === "prometheus-redis-exporter");
        assert.deepEqual(
            exporters.map((r) => [r.resource, r.releaseName, r.namespace, r.version, r.repo, r.dependsOn.includes("prod-gke-kube-prometheus-stack")]),
            [
                ["prod-gke-ojeomneo-redis-exporter", "ojeomneo-redis-exporter", "ojeomneo", "6.29.0", "https://prometheus-community.github.io/helm-charts", true],
                ["prod-gke-reviewmaps-redis-exporter", "reviewmaps-redis-exporter", "reviewmaps", "6.29.0", "https://prometheus-community.github.io/helm-charts", true],
            ],
        );
        assert.deepEqual(exporters[0].values, exporterValues("ojeomneo-redis", "ojeomneo", "ojeomneo-redis"));
        assert.deepEqual(exporters[1].values, exporterValues("reviewmaps-redis", "reviewmaps", "reviewmaps-redis"));
    });

    it("takes an explicit address, connects without AUTH when no Secret is named, and declares nothing by default", async () => {
        const plan = await planVariant("prod", { set: { redis: [{ name: "cache", namespace: "shop", address: "10.0.0.7:6380" }] } });
        const [exporter, ...more] = plan.releases.filter((r) => r.chart === "prometheus-redis-exporter");
        assert.equal(more.length, 0);
        assert.equal(exporter.namespace, "shop");
        assert.equal(exporter.values.redisAddress, "redis://10.0.0.7:6380");
        assert.deepEqual(exporter.values.auth, { enabled: false });
        const dev = await planVariant("dev");
        assert.deepEqual(dev.releases.filter((r) => r.chart === "prometheus-redis-exporter"), []);
        const groups = ofType(dev, PROMETHEUS_RULE_TYPE).flatMap((r) => (r.inputs as any).spec.groups as RuleGroup[]);
        assert.ok(!groups.some((g) => g.name === "observability-platform-redis"));
    });

    describe("refuses bad entries at their key path", () => {
        const ok = { name: "cache", namespace: "shop" };
        it("duplicate names", async () => {
            const keys = await refusedKeys([ok, { ...ok, namespace: "other" }]);
            assert.deepEqual([...keys.keys()], [`${NS}:redis[1].name`]);
            assert.match(keys.get(`${NS}:redis[1].name`)!, /no other Redis instance has/);
        });
        it("bad name, namespace, address, Secret and unknown keys", async () => {
            const keys = await refusedKeys([
                { name: "Cache_1", namespace: "shop" },
                { name: "cache", namespace: "Shop" },
                { name: "c2", namespace: "shop", address: "redis://c2:6379" },
                { name: "c3", namespace: "shop", address: "c3.shop.svc:70000" },
                { name: "c4", namespace: "shop", passwordSecret: { name: "Bad_Secret", key: "k" } },
                { name: "c5", namespace: "shop", passwordSecret: { name: "s" } },
                { name: "c6", namespace: "shop", password: "hunter2" },
                "cache",
            ]);
            assert.deepEqual(
                [...keys.keys()].sort(),
                [
                    `${NS}:redis[0].name`,
                    `${NS}:redis[1].namespace`,
                    `${NS}:redis[2].address`,
                    `${NS}:redis[3].address`,
                    `${NS}:redis[4].passwordSecret.name`,
                    `${NS}:redis[5].passwordSecret.key`,
                    `${NS}:redis[6].password`,
                    `${NS}:redis[7]`,
                ].sort(),
            );
            assert.match(keys.get(`${NS}:redis[2].address`)!, /host:port/);
            // An unknown key is named, its value (a password, here) never repeated.
            assert.ok(![...keys.values()].some((l) => l.includes("hunter2")));
        });
    });

    describe("alerts (promtool)", () => {
        let groups: RuleGroup[];
        before(() => {
            const rule = ofType(prod, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring");
            groups = ((rule?.inputs as any).spec.groups as RuleGroup[]).filter((g) => g.name === "observability-platform-redis");
            assert.equal(groups.length, 1);
        });
        const check = (tests: unknown[]) => {
            const r = promtoolTestRules(groups, tests);
            assert.equal(r.status, 0, r.output);
        };
        const ojeomneo = { job: "ojeomneo-redis", namespace: "ojeomneo" };
        const reviewmaps = { job: "reviewmaps-redis", namespace: "reviewmaps" };
        const s = (metric: string, l: { job: string; namespace: string }) => `${metric}{job="${l.job}",namespace="${l.namespace}"}`;
        const labels = (severity: string, l: { job: string; namespace: string }) => ({ severity, cluster: "prod-gke", component: "redis", ...l });
        const alerts = (name: string, at: string, exp: object[]) => ({ eval_time: at, alertname: name, exp_alerts: exp });

        it("RedisDown pages after 2 minutes down; an instance that is up does not", () => {
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("redis_up", ojeomneo), values: "1 1 0 0 0 0 0" },
                        { series: s("redis_up", reviewmaps), values: "1x6" },
                    ],
                    alert_rule_test: [
                        alerts("RedisDown", "3m", []),
                        alerts("RedisDown", "5m", [{ exp_labels: labels("critical", ojeomneo) }]),
                    ],
                },
            ]);
        });

        it("RedisExporterAbsent warns per instance once its series are gone for 10 minutes", () => {
            check([
                {
                    interval: "1m",
                    input_series: [{ series: s("redis_up", reviewmaps), values: "1x20" }],
                    alert_rule_test: [
                        alerts("RedisExporterAbsent", "9m", []),
                        alerts("RedisExporterAbsent", "11m", [{ exp_labels: { ...labels("warning", ojeomneo) } }]),
                    ],
                },
            ]);
        });

        it("RedisMemoryHigh over 90% of maxmemory, never without maxmemory", () => {
            const mi = 1024 * 1024;
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("redis_memory_used_bytes", ojeomneo), values: `${95 * mi}x20` },
                        { series: s("redis_memory_max_bytes", ojeomneo), values: `${100 * mi}x20` },
                        // No maxmemory: used / 0 would be +Inf.
                        { series: s("redis_memory_used_bytes", reviewmaps), values: `${95 * mi}x20` },
                        { series: s("redis_memory_max_bytes", reviewmaps), values: "0x20" },
                    ],
                    alert_rule_test: [
                        alerts("RedisMemoryHigh", "9m", []),
                        alerts("RedisMemoryHigh", "11m", [{ exp_labels: labels("warning", ojeomneo) }]),
                    ],
                },
                {
                    interval: "1m",
                    input_series: [
                        { series: s("redis_memory_used_bytes", ojeomneo), values: `${85 * mi}x20` },
                        { series: s("redis_memory_max_bytes", ojeomneo), values: `${100 * mi}x20` },
                    ],
                    alert_rule_test: [alerts("RedisMemoryHigh", "15m", [])],
                },
            ]);
        });

        it("RedisRejectedConnections on any rejection within 5 minutes, not on a flat counter", () => {
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("redis_rejected_connections_total", ojeomneo), values: "0 0 0 0 0 3 3 3 3 3 3 3 3 3 3 3 3" },
                        { series: s("redis_rejected_connections_total", reviewmaps), values: "7x16" },
                    ],
                    alert_rule_test: [
                        alerts("RedisRejectedConnections", "4m", []),
                        alerts("RedisRejectedConnections", "6m", [{ exp_labels: labels("warning", ojeomneo) }]),
                        alerts("RedisRejectedConnections", "16m", []),
                    ],
                },
            ]);
        });

        it("RedisTooManyClients above 90% of maxclients for 5 minutes", () => {
            check([
                {
                    interval: "1m",
                    input_series: [
                        { series: s("redis_connected_clients", ojeomneo), values: "9500x10" },
                        { series: s("redis_config_maxclients", ojeomneo), values: "10000x10" },
                        { series: s("redis_connected_clients", reviewmaps), values: "8000x10" },
                        { series: s("redis_config_maxclients", reviewmaps), values: "10000x10" },
                    ],
                    alert_rule_test: [
                        alerts("RedisTooManyClients", "4m", []),
                        alerts("RedisTooManyClients", "6m", [{ exp_labels: labels("warning", ojeomneo) }]),
                    ],
                },
            ]);
        });
    });
});
