// Bad SLO and alerting config is refused before anything is declared, naming every bad key.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";

const hub = { name: "prod-gke", location: "asia-northeast3", role: "hub" };
const availability = {
    name: "availability",
    kind: "availability",
    target: 99.9,
    metric: "http_requests_total",
    selector: { job: "api" },
    errorSelector: { code: "5.." },
};
const latency = {
    name: "latency",
    kind: "latency",
    target: 95,
    metric: "http_request_duration_seconds",
    selector: { job: "api" },
    thresholdSeconds: 0.3,
    bucket: "0.3",
};
const service = (objectives: unknown[], extra: Record<string, unknown> = {}) => ({
    service: "api",
    owner: "team-a",
    runbookUrl: "https://runbooks.example.com/api",
    objectives,
    ...extra,
});

function resolve(values: Record<string, unknown>) {
    return resolveSettings({
        stack: "prod",
        namespace: "observability-platform",
        gcpProject: "acme-observability-prod",
        gcpRegion: "asia-northeast3",
        values: { tier: "long-term", clusters: [hub], ...values },
    });
}

function problems(values: Record<string, unknown>): Map<string, string> {
    try {
        resolve(values);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        const lines = new Map<string, string>();
        for (const line of err.message.split("\n").filter((l) => l.startsWith("  - "))) {
            const [key] = line.slice(4).split(": ", 1);
            lines.set(key, line);
            assert.match(line, /: expected .+; got .+/);
        }
        return lines;
    }
    assert.fail("the config was accepted");
}

const key = (path: string) => `observability-platform:slos${path}`;

describe("SLO and alerting config", () => {
    it("accepts both kinds, defaults the period to 30 days and keeps no SLOs in either tier preset", () => {
        const s = resolve({ slos: [service([availability, { ...latency, period: "28d" }])] });
        assert.equal(s.slos[0].objectives[0].period, undefined, "30d by default (see DEFAULT_PERIOD)");
        assert.equal(s.slos[0].objectives[1].period, "28d");
        assert.deepEqual(resolve({}).slos, []);
        assert.deepEqual(resolve({ tier: "minimal", metricsBackend: "prometheus" }).slos, []);
        assert.equal(resolve({}).alerting.slack.alertsChannel, "#alerts");
    });

    it("rejects a target out of range, an unknown kind and a period other than 30d or 28d", () => {
        const p = problems({
            slos: [service([{ ...availability, target: 100 }, { ...availability, name: "b", kind: "throughput" }, { ...availability, name: "c", period: "7d" }])],
        });
        assert.match(p.get(key("[0].objectives[0].target")) ?? "", /above 0 and below 100.*got 100/);
        assert.match(p.get(key("[0].objectives[1].kind")) ?? "", /"availability" \| "latency".*got "throughput"/);
        assert.match(p.get(key("[0].objectives[2].period")) ?? "", /"30d" \| "28d".*got "7d"/);
    });

    it("rejects a target too low for a 14.4x page to ever fire, and one with too many decimals", () => {
        const p = problems({ slos: [service([{ ...availability, target: 90 }, { ...availability, name: "b", target: 99.99999 }])] });
        assert.match(p.get(key("[0].objectives[0].target")) ?? "", /above 93\.06 .*could never fire.*got 90/);
        assert.match(p.get(key("[0].objectives[1].target")) ?? "", /at most 4 decimals.*got 99\.99999/);
    });

    it("bounds the target by the period's own fastest page: 13.44x for 28 days", () => {
        // 92.6% has a 7.4% budget: 13.44 x 7.4% is under 100% (the page can fire), 14.4 x 7.4% is not.
        const p = problems({ slos: [service([{ ...availability, target: 92.6, period: "28d" }, { ...availability, name: "b", target: 92.6 }])] });
        assert.equal(p.get(key("[0].objectives[0].target")), undefined);
        assert.match(p.get(key("[0].objectives[1].target")) ?? "", /above 93\.06 .*14\.4x burn.*got 92\.6/);
    });

    it("rejects a traffic floor that is not a positive rate, and accepts another spelling of the threshold's bucket", () => {
        const p = problems({ slos: [service([{ ...availability, minRequestRate: 0 }, { ...latency, name: "b", minRequestRate: "5/s" }, { ...latency, name: "c", bucket: "3e-1" }])] });
        assert.match(p.get(key("[0].objectives[0].minRequestRate")) ?? "", /positive rate in requests per second.*got 0/);
        assert.match(p.get(key("[0].objectives[1].minRequestRate")) ?? "", /rate in requests per second.*got "5\/s"/);
        assert.equal(p.get(key("[0].objectives[2].bucket")), undefined);
    });

    it("rejects a latency SLO without a threshold or bucket, and a bucket that is not the threshold's bound", () => {
        const p = problems({
            slos: [
                service([
                    { ...latency, thresholdSeconds: undefined, bucket: undefined },
                    { ...latency, name: "b", bucket: "0.25" },
                ]),
            ],
        });
        assert.match(p.get(key("[0].objectives[0].thresholdSeconds")) ?? "", /latency threshold in seconds.*got nothing/);
        assert.match(p.get(key("[0].objectives[0].bucket")) ?? "", /le label value.*got nothing/);
        assert.match(p.get(key("[0].objectives[1].bucket")) ?? "", /bucket bound equal to thresholdSeconds 0\.3.*got "0\.25"/);
    });

    it("rejects an availability SLO without error matchers or with a threshold", () => {
        const p = problems({ slos: [service([{ ...availability, errorSelector: undefined, thresholdSeconds: 0.5 }])] });
        assert.match(p.get(key("[0].objectives[0].errorSelector")) ?? "", /regex matchers for the failed requests/);
        assert.match(p.get(key("[0].objectives[0].thresholdSeconds")) ?? "", /only latency SLOs/);
    });

    it("rejects bad names, selectors and URLs, duplicates and a misspelt key, all at once", () => {
        const p = problems({
            slos: [
                service([{ ...availability, metric: "http-requests", selector: {} }, { ...availability, targett: 99 }], { runbookUrl: "runbooks/api" }),
                service([latency], { owner: "Team A" }),
            ],
            alerting: { runbookBaseUrl: "ftp://x", slack: { alertsChannel: "alerts", monitoringChannel: "#monitoring" } },
        });
        assert.match(p.get(key("[0].objectives[0].metric")) ?? "", /Prometheus metric name/);
        assert.match(p.get(key("[0].objectives[0].selector")) ?? "", /at least one label/);
        assert.match(p.get(key("[0].objectives[1].targett")) ?? "", /did you mean "target"/);
        assert.match(p.get(key("[0].runbookUrl")) ?? "", /http\(s\) URL/);
        assert.match(p.get(key("[1].service")) ?? "", /no other entry/);
        assert.match(p.get(key("[1].owner")) ?? "", /team name/);
        assert.match(p.get("observability-platform:alerting.runbookBaseUrl") ?? "", /http\(s\) URL/);
        assert.match(p.get("observability-platform:alerting.slack.alertsChannel") ?? "", /Slack channel/);
    });

    it("accepts a service's pod namespace and pod regex, and SLOs that share a selector label", () => {
        const s = resolve({
            slos: [service([availability, { ...latency, selector: { job: "api", handler: "/pay" } }], { namespace: "shop", podRegex: "api-(web|worker)-[a-z0-9]+-\\w{5}" })],
        });
        assert.equal(s.slos[0].namespace, "shop");
        assert.equal(s.slos[0].podRegex, "api-(web|worker)-[a-z0-9]+-\\w{5}");
        assert.equal(resolve({ slos: [service([availability])] }).slos[0].namespace, undefined, "derived by the dashboards when absent");
    });

    it("rejects a service whose SLOs share no selector label, naming each SLO's selector", () => {
        const p = problems({
            slos: [
                service([availability, { ...latency, selector: { job: "api-latency" } }]),
                service([availability, { ...latency, selector: { service: "api" } }], { service: "web" }),
            ],
        });
        for (const i of [0, 1]) {
            assert.match(p.get(key(`[${i}].objectives`)) ?? "", /SLOs whose selectors share at least one label with the same value.*got \{"availability":\{"job":"api"\},"latency":/);
        }
    });

    it("rejects a namespace that is not a Kubernetes name and a pod regex that does not compile, needs more than RE2 or reads as a Grafana variable", () => {
        const p = problems({
            slos: [
                service([availability], { namespace: "Shop_NS", podRegex: "api-(.*" }),
                service([availability], { service: "b", namespace: "x".repeat(64), podRegex: "b-(?!canary).*" }),
                service([availability], { service: "c", podRegex: "(c)-\\1" }),
                service([availability], { service: "d", podRegex: "$service-.*" }),
            ],
        });
        assert.match(p.get(key("[0].namespace")) ?? "", /Kubernetes namespace name.*got "Shop_NS"/);
        assert.match(p.get(key("[1].namespace")) ?? "", /Kubernetes namespace name.*got "x{20}/);
        assert.match(p.get(key("[0].podRegex")) ?? "", /regular expression on the pod label.*RE2, the engine of Prometheus, refuses it: missing closing \).*got "api-\(\.\*"/);
        assert.match(p.get(key("[1].podRegex")) ?? "", /RE2, the engine of Prometheus, refuses it: invalid or unsupported Perl syntax: `\(\?!`.*got "b-\(\?!canary\)\.\*"/);
        assert.match(p.get(key("[2].podRegex")) ?? "", /RE2, the engine of Prometheus, refuses it: invalid escape sequence: `\\1`/);
        assert.match(p.get(key("[3].podRegex")) ?? "", /Grafana would read part of it as a dashboard variable.*got "\$service-\.\*"/);
    });

    it("takes regexes as RE2 takes them: an inline (?i) is fine, an error selector RE2 refuses is named with RE2's message", () => {
        const p = problems({
            slos: [
                service([{ ...availability, errorSelector: { code: "(?i)5XX|5.." } }], { podRegex: "(?i)api-.*" }),
                service([{ ...availability, errorSelector: { code: "5..", status: "(?<!2)0." } }, { ...availability, name: "b", errorSelector: { code: "5{1001}" } }], { service: "b" }),
            ],
        });
        assert.equal(p.get(key("[0].podRegex")), undefined);
        assert.equal(p.get(key("[0].objectives[0].errorSelector.code")), undefined);
        assert.match(p.get(key("[1].objectives[0].errorSelector.status")) ?? "", /a regular expression \(RE2, the engine of Prometheus, refuses it: invalid named capture: `\(\?<!2\)0\.`\).*got "\(\?<!2\)0\."/);
        assert.equal(p.get(key("[1].objectives[0].errorSelector.code")), undefined);
        assert.match(p.get(key("[1].objectives[1].errorSelector.code")) ?? "", /invalid repeat count/);
    });

    it("rejects two SLOs of different services with one id \"<service>-<slo>\" (their series and dashboards would merge)", () => {
        const p = problems({ slos: [service([{ ...availability, name: "v2-availability" }]), service([availability], { service: "api-v2" })] });
        assert.match(p.get(key("[1].objectives[0].name")) ?? "", /"api-v2-availability" the id of SLO "v2-availability" of service "api".*got "availability"/);
        assert.equal(p.size, 1);
    });

    it("does not accept the secret keys as settings", () => {
        const p = problems({ slackWebhookUrl: "https://hooks.slack.com/services/x" });
        assert.ok(p.has("observability-platform:slackWebhookUrl"), [...p.keys()].join(", "));
    });
});
