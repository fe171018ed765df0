// Bad config, one class of mistake per case (issue 16): each is refused with one ConfigError naming
// exactly the keys at fault, what was expected, and never a value that could be a secret. Cases run
// through the entry points a user hits: the stack-file parser, resolveSettings over the real stack
// files, and for a handful the whole offline plan, which must register and write nothing.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../components/config/errors";
import { parseConfigValue, resolveSettings, type StackConfigInput } from "../components/config/settings";
import { planStack } from "../tools/offline/plan";
import { readStackConfig } from "../tools/offline/stack-config";
import { stackConfig } from "./support/program";
import { planCommand } from "../tools/plan";
import { runCommand } from "./support/command";

const ROOT = path.resolve(__dirname, "..");
const NS = "observability-platform";
const k = (keyPath: string) => `${NS}:${keyPath}`;

type Stack = "dev" | "prod";

/** The stack file's own keys, as loadSettings hands them to resolveSettings. */
function stackInput(stack: Stack): StackConfigInput {
    const { config } = readStackConfig(ROOT, stack);
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(config)) if (key.startsWith(`${NS}:`)) values[key.slice(NS.length + 1)] = parseConfigValue(raw);
    return { stack, namespace: NS, values, gcpProject: config["gcp:project"], gcpRegion: config["gcp:region"] };
}

interface Case {
    /** The class of mistake, then what this case does. */
    name: string;
    stack: Stack;
    /** Top-level project keys replaced in the stack file (undefined removes one). */
    set?: Record<string, unknown>;
    /** What loadSettings would pass besides the values (secrets, other namespaces, the GCP region). */
    input?: Partial<StackConfigInput>;
    /** Every key the error must name, exactly, with a fragment of what it expects. */
    keys: Record<string, RegExp>;
    /** Text of the input that must not appear in the error. */
    hidden?: string;
}

function resolveCase(c: Case) {
    const base = stackInput(c.stack);
    const values = { ...base.values };
    for (const [key, value] of Object.entries(c.set ?? {})) {
        if (value === undefined) delete values[key];
        else values[key] = value;
    }
    return resolveSettings({ ...base, ...c.input, values });
}

/** The error's lines by the key they name. */
function linesByKey(err: ConfigError): Map<string, string> {
    const lines = err.message.split("\n").filter((l) => l.startsWith("  - "));
    return new Map(lines.map((l) => [l.slice(4, l.indexOf(": expected ")), l]));
}

function assertRefused(err: unknown, c: Pick<Case, "keys" | "hidden">): void {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${(err as Error)?.stack ?? String(err)}`);
    const lines = linesByKey(err);
    assert.deepEqual([...lines.keys()].sort(), Object.keys(c.keys).sort(), `the keys named in:\n${err.message}`);
    for (const [key, fragment] of Object.entries(c.keys)) assert.match(lines.get(key) ?? "", fragment);
    assert.match(err.message, /\nNothing was deployed\./);
    if (c.hidden !== undefined) assert.ok(!err.message.includes(c.hidden), `${JSON.stringify(c.hidden)} is echoed in:\n${err.message}`);
}

const hub = (name: string, location: string) => ({ name, location, role: "hub" });
const spoke = { name: "edge-gke", location: "us-east1-b", role: "spoke" };
const fleet = (loadBalancerIP?: string) => ({ hub: { host: "fleet.acme-corp.example", ...(loadBalancerIP ? { loadBalancerIP } : {}) } });
const small = (memory: string, memoryLimit: string, cpu = "50m", cpuLimit?: string) => ({
    requests: { cpu, memory },
    limits: { memory: memoryLimit, ...(cpuLimit ? { cpu: cpuLimit } : {}) },
});
/** One service with one availability SLO, for the prod stack (its Mimir ruler reads 30 days). */
const service = (objective: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => [
    {
        service: "checkout",
        owner: "payments",
        runbookUrl: "https://wiki.acme-corp.example/checkout",
        objectives: [
            {
                name: "availability",
                kind: "availability",
                target: 99.9,
                metric: "http_requests_total",
                selector: { job: "checkout" },
                errorSelector: { code: "5.." },
                ...objective,
            },
        ],
        ...extra,
    },
];
const slack = { alertsChannel: "#alerts", monitoringChannel: "#monitoring" };
const alerting = (extra: Record<string, unknown>) => ({ runbookBaseUrl: "https://github.com/acme-corp/observability-platform/blob/main/docs/runbooks", slack, ...extra });
const thanos = { metricsBackend: "thanos" };

const REFUSED: Case[] = [
    // Ranges: retention caps per tier and signal (a bucket's lifecycle margin counts in long-term).
    { name: "range: a minimal stack keeping logs 999999 days", stack: "dev", set: { retention: { logsDays: 999999 } }, keys: { [k("retention.logsDays")]: /at most 35 days in the minimal tier \(logs on persistent disks\); got 999999/ } },
    { name: "range: minimal logs one day over the cap", stack: "dev", set: { retention: { logsDays: 36 } }, keys: { [k("retention.logsDays")]: /at most 35 days in the minimal tier.*got 36/ } },
    { name: "range: minimal traces beyond what Tempo's disk holds", stack: "dev", set: { retention: { tracesDays: 15 } }, keys: { [k("retention.tracesDays")]: /at most 14 days in the minimal tier \(traces on persistent disks\)/ } },
    { name: "range: minimal Prometheus keeping months on its disk", stack: "dev", set: { prometheus: { retentionDays: 90 } }, keys: { [k("prometheus.retentionDays")]: /at most 35 days in the minimal tier \(metrics on Prometheus' own disk\); got 90/ } },
    { name: "range: long-term metrics beyond 13 months plus the bucket margin", stack: "prod", set: { retention: { metricsDays: 419 } }, keys: { [k("retention.metricsDays")]: /at most 418 days in the long-term tier \(the metrics store's history, 425 with storage.lifecycleMarginDays 7\); got 419/ } },
    { name: "range: long-term logs beyond 13 months", stack: "prod", set: { retention: { logsDays: 500 } }, keys: { [k("retention.logsDays")]: /at most 418 days in the long-term tier \(logs in Cloud Storage, 425 with/ } },
    { name: "range: long-term traces beyond a month", stack: "prod", set: { retention: { tracesDays: 39 } }, keys: { [k("retention.tracesDays")]: /at most 38 days in the long-term tier \(traces in Cloud Storage/ } },
    { name: "range: a longer lifecycle margin leaves less for the store's own retention", stack: "prod", set: { storage: { lifecycleMarginDays: 30 }, retention: { metricsDays: 396 } }, keys: { [k("retention.metricsDays")]: /at most 395 days .*425 with storage.lifecycleMarginDays 30\); got 396/ } },
    { name: "range: a lifecycle margin of half a year", stack: "prod", set: { storage: { lifecycleMarginDays: 180 } }, keys: { [k("storage.lifecycleMarginDays")]: /at most 30 days; got 180/ } },
    { name: "range: long-term Prometheus' local disk kept for months", stack: "prod", set: { prometheus: { retentionDays: 36 } }, keys: { [k("prometheus.retentionDays")]: /at most 35 days in the long-term tier \(metrics on Prometheus' own disk\)/ } },
    { name: "range: a remote-write local window of a year", stack: "prod", set: { remoteWrite: { localRetentionDays: 365 } }, keys: { [k("remoteWrite.localRetentionDays")]: /at most 35 days in the long-term tier.*got 365/ } },
    {
        name: "range: Thanos resolutions and metrics all beyond the long-term cap, each named",
        stack: "prod",
        set: { ...thanos, retention: { metricsDays: 500 }, thanos: { rawRetentionDays: 500, fiveMinuteRetentionDays: 500 } },
        keys: {
            [k("retention.metricsDays")]: /at most 418 days in the long-term tier \(the metrics store's history.*got 500/,
            [k("thanos.rawRetentionDays")]: /at most 418 days in the long-term tier.*got 500/,
            [k("thanos.fiveMinuteRetentionDays")]: /at most 418 days in the long-term tier.*got 500/,
        },
    },
    { name: "range: a Thanos sidecar's Prometheus keeping less than a failed upload's retry takes", stack: "prod", set: { ...thanos, slos: [], prometheus: { retentionDays: 2 } }, keys: { [k("prometheus.retentionDays")]: /at least 3 with metricsBackend thanos \(a failed block upload is retried after the compactor removes the partial one.*got 2/ } },
    { name: "range: with a misspelt tier, a retention no tier keeps is still reported", stack: "dev", set: { tier: "long-trem", retention: { logsDays: 999999 } }, keys: { [k("tier")]: /one of "minimal" \| "long-term"; got "long-trem"/, [k("retention.logsDays")]: /at most 425 days in any tier/ } },
    { name: "range: a retention of zero days", stack: "dev", set: { retention: { tracesDays: 0 } }, keys: { [k("retention.tracesDays")]: /a positive number of days; got 0/ } },
    { name: "range: half a day of retention", stack: "prod", set: { retention: { logsDays: 0.5 } }, keys: { [k("retention.logsDays")]: /a whole number of days; got 0.5/ } },

    // Ranges: limits, disks, namespaces, the gateway's address.
    { name: "range: a memory limit below its request", stack: "dev", set: { resources: { prometheus: small("2Gi", "1Gi") } }, keys: { [k("resources.prometheus.limits.memory")]: /a memory limit at least the request \(2Gi\); got "1Gi"/ } },
    { name: "range: a CPU limit below its request", stack: "prod", set: { resources: { grafana: small("256Mi", "1Gi", "500m", "250m") } }, keys: { [k("resources.grafana.limits.cpu")]: /a CPU limit at least the request \(500m\), or none; got "250m"/ } },
    { name: "range: a memory quantity in decimal units", stack: "dev", set: { resources: { loki: small("512M", "1Gi") } }, keys: { [k("resources.loki.requests.memory")]: /a memory quantity in binary units/ } },
    { name: "range: a Mimir ingester disk beyond 64 TiB", stack: "prod", set: { mimir: { ingesterStorageGi: 65537 } }, keys: { [k("mimir.ingesterStorageGi")]: /at most 65536 GiB \(64 TiB, the largest persistent disk\); got 65537/ } },
    { name: "range: a Loki disk of zero GiB", stack: "dev", set: { loki: { storageGi: 0 } }, keys: { [k("loki.storageGi")]: /a positive number of GiB; got 0/ } },
    { name: "range: kube-system as the monitoring namespace", stack: "dev", set: { namespaces: { monitoring: "kube-system" } }, keys: { [k("namespaces.monitoring")]: /not one Kubernetes keeps .*got "kube-system"/ } },
    { name: "range: default as the Argo CD namespace", stack: "prod", set: { namespaces: { gitops: "default" } }, keys: { [k("namespaces.gitops")]: /a namespace of the platform's own.*got "default"/ } },
    { name: "range: kube-public as the tracing namespace", stack: "dev", set: { namespaces: { tracing: "kube-public" } }, keys: { [k("namespaces.tracing")]: /not one Kubernetes keeps.*got "kube-public"/ } },
    { name: "range: a public address for the fleet gateway's internal load balancer", stack: "prod", set: { clusters: [hub("prod-gke", "asia-northeast3"), spoke], fleet: fleet("34.64.10.20") }, keys: { [k("fleet.hub.loadBalancerIP")]: /a private IPv4 address .*got "34.64.10.20"/ } },
    { name: "range: an address just outside 172.16.0.0/12", stack: "prod", set: { clusters: [hub("prod-gke", "asia-northeast3"), spoke], fleet: fleet("172.32.0.1") }, keys: { [k("fleet.hub.loadBalancerIP")]: /a private IPv4 address.*got "172.32.0.1"/ } },
    { name: "range: three Loki replicas on the minimal tier's one disk", stack: "dev", set: { loki: { replicas: 3 } }, keys: { [k("loki.replicas")]: /1 in the minimal tier/ } },

    // Keys a tier, backend or other setting ignores, refused when the stack sets them.
    { name: "ignored: bucket protection in the minimal tier, which has no buckets", stack: "dev", set: { storage: { protectBuckets: true } }, keys: { [k("storage.protectBuckets")]: /nothing: the minimal tier has no Cloud Storage buckets.*got true/ } },
    { name: "ignored: a lifecycle margin in the minimal tier", stack: "dev", set: { storage: { lifecycleMarginDays: 14 } }, keys: { [k("storage.lifecycleMarginDays")]: /nothing: the minimal tier has no Cloud Storage buckets/ } },
    { name: "ignored: object history of state buckets in the minimal tier", stack: "dev", set: { storage: { stateHistoryDays: 60 } }, keys: { [k("storage.stateHistoryDays")]: /nothing: the minimal tier has no Cloud Storage buckets/ } },
    { name: "ignored: a remote-write window where no Prometheus remote-writes, named once", stack: "dev", set: { remoteWrite: { localRetentionDays: 365 } }, keys: { [k("remoteWrite")]: /nothing: no Prometheus of this stack remote-writes \(metricsBackend prometheus and no spoke\)/ } },
    { name: "ignored: a remote-write queue with Thanos, whose sidecars upload blocks", stack: "prod", set: { ...thanos, remoteWrite: { queue: { maxShards: 50 } } }, keys: { [k("remoteWrite")]: /nothing: with metricsBackend thanos no Prometheus remote-writes/ } },
    { name: "ignored: a 395-day metrics retention with metrics on Prometheus' disks", stack: "dev", set: { retention: { metricsDays: 395 } }, keys: { [k("retention.metricsDays")]: /nothing with metricsBackend prometheus: metrics stay on Prometheus' disks for prometheus.retentionDays.*got 395/ } },
    { name: "ignored: Thanos settings with the Mimir backend", stack: "prod", set: { thanos: { rawRetentionDays: 14 } }, keys: { [k("thanos")]: /nothing: the thanos settings apply with metricsBackend thanos only \(this stack's is "mimir"\)/ } },
    { name: "ignored: Mimir settings with the Thanos backend", stack: "prod", set: { ...thanos, mimir: { ingesterReplicas: 5 } }, keys: { [k("mimir")]: /nothing: the mimir settings apply with metricsBackend mimir only \(this stack's is "thanos"\)/ } },
    { name: "ignored: Mimir ingester resources in the minimal tier", stack: "dev", set: { resources: { mimirIngester: small("1Gi", "2Gi") } }, keys: { [k("resources.mimirIngester")]: /nothing: mimirIngester runs with metricsBackend mimir only \(this stack's is "prometheus"\)/ } },
    { name: "ignored: Thanos compactor resources with Mimir", stack: "prod", set: { resources: { thanosCompactor: small("1Gi", "2Gi") } }, keys: { [k("resources.thanosCompactor")]: /nothing: thanosCompactor runs with metricsBackend thanos only/ } },
    { name: "ignored: the Mimir rules loader's resources with Thanos", stack: "prod", set: { ...thanos, resources: { alloyRules: small("64Mi", "128Mi") } }, keys: { [k("resources.alloyRules")]: /nothing: alloyRules runs with metricsBackend mimir only/ } },
    { name: "ignored: health-check paths while dropping them is off", stack: "dev", set: { loki: { dropHealthChecks: false, healthCheckPaths: ["/ping"] } }, keys: { [k("loki.healthCheckPaths")]: /nothing: loki.dropHealthChecks is false/ } },
    { name: "ignored: cache resources while the minimal tier's caches are off", stack: "dev", set: { resources: { lokiChunksCache: small("512Mi", "640Mi") } }, keys: { [k("resources.lokiChunksCache")]: /nothing: loki.caches is false, so the cache does not run/ } },

    // Keys that would silently do nothing: other namespaces, shadowing keys, misspellings.
    { name: "no-op key: a near miss of the project's namespace", stack: "dev", input: { otherKeys: ["observability-platfrom:slos"] }, keys: { "observability-platfrom:slos": /a key of the project's namespace "observability-platform" \(did you mean observability-platform:slos\?\)/ } },
    { name: "no-op key: a namespace with a dropped letter", stack: "prod", input: { otherKeys: ["observabilty-platform:tier"] }, keys: { "observabilty-platform:tier": /did you mean observability-platform:tier\?/ } },
    { name: "no-op key: a project key project shadowing gcp:project", stack: "dev", set: { project: "acme-other" }, keys: { [k("project")]: /nothing: the GCP project is gcp:project.*got "acme-other"/ } },
    { name: "no-op key: a project key region shadowing gcp:region", stack: "prod", set: { region: "europe-west1" }, keys: { [k("region")]: /nothing: the GCP region is gcp:region/ } },
    { name: "no-op key: a project key stack", stack: "dev", set: { stack: "prod" }, keys: { [k("stack")]: /nothing: the stack's name is Pulumi's own/ } },
    { name: "no-op key: a misspelt nested key, with the key meant", stack: "dev", set: { retention: { logDays: 7 } }, keys: { [k("retention.logDays")]: /one of the keys metricsDays, logsDays, tracesDays \(did you mean "logsDays"\?\); got the unknown key "logDays"/ } },
    { name: "no-op key: an unknown top-level key", stack: "prod", set: { lokki: { replicas: 3 } }, keys: { [k("lokki")]: /did you mean "loki"\?/ } },
    { name: "no-op key: an SLO placed on a cluster the stack does not have", stack: "prod", set: { slos: service({}, { clusters: ["prod-gke", "prod-gkee"] }) }, keys: { [k("slos[0].clusters[1]")]: /a cluster of this stack \(prod-gke\); got "prod-gkee"/ } },
    { name: "no-op key: an SLO placed on no cluster at all", stack: "prod", set: { slos: service({}, { clusters: [] }) }, keys: { [k("slos[0].clusters")]: /at least one cluster name \(or leave the key out for the hub\)/ } },
    { name: "no-op key: a misspelt key inside an SLO", stack: "prod", set: { slos: service({ targett: 99 }) }, keys: { [k("slos[0].objectives[0].targett")]: /did you mean "target"\?/ } },

    // Values that become code.
    { name: "code: an error selector that is no regular expression", stack: "prod", set: { slos: service({ errorSelector: { code: "5(.." } }) }, keys: { [k("slos[0].objectives[0].errorSelector.code")]: /a regular expression \(RE2, the engine of Prometheus, refuses it: missing closing \)/ } },
    { name: "code: a lookahead, which RE2 refuses", stack: "prod", set: { slos: service({ errorSelector: { code: "(?!2)\\d\\d" } }) }, keys: { [k("slos[0].objectives[0].errorSelector.code")]: /RE2, the engine of Prometheus, refuses it/ } },
    { name: "code: a backreference in a pod regex", stack: "prod", set: { slos: service({}, { podRegex: "(checkout)-\\1" }) }, keys: { [k("slos[0].podRegex")]: /RE2, the engine of Prometheus, refuses it/ } },
    { name: "code: a pod regex Grafana would read as a variable", stack: "prod", set: { slos: service({}, { podRegex: "$service-.*" }) }, keys: { [k("slos[0].podRegex")]: /Grafana would read part of it as a dashboard variable/ } },
    { name: "code: a quote in a selector's label value", stack: "prod", set: { slos: service({ selector: { job: 'checkout"} or vector(1) #' } }) }, keys: { [k("slos[0].objectives[0].selector.job")]: /a label value without quotes, line breaks or template delimiters/ } },
    { name: "code: a Go template in a selector's label value", stack: "prod", set: { slos: service({ selector: { job: "{{ .Labels.job }}" } }) }, keys: { [k("slos[0].objectives[0].selector.job")]: /a label value without quotes, line breaks or template delimiters/ } },
    { name: "code: a Grafana variable in a selector's label value", stack: "prod", set: { slos: service({ selector: { job: "${job}" } }) }, keys: { [k("slos[0].objectives[0].selector.job")]: /a label value without quotes/ } },
    { name: "code: a template delimiter in an error selector", stack: "prod", set: { slos: service({ errorSelector: { code: "}}5.." } }) }, keys: { [k("slos[0].objectives[0].errorSelector.code")]: /a regular expression without quotes, line breaks or template delimiters/ } },
    { name: "code: a placeholder runbook URL", stack: "prod", set: { slos: service({}, { runbookUrl: "https://wiki.acme-corp.example/<service>" }) }, keys: { [k("slos[0].runbookUrl")]: /an http\(s\) URL, not a template placeholder/ } },
    { name: "code: a template in the runbook base URL", stack: "dev", set: { alerting: alerting({ runbookBaseUrl: "https://github.com/${ORG}/observability-platform/blob/main/docs/runbooks" }) }, keys: { [k("alerting.runbookBaseUrl")]: /not a template placeholder/ } },
    { name: "code: a runbook URL that is a relative path", stack: "prod", set: { slos: service({}, { runbookUrl: "docs/runbooks/checkout.md" }) }, keys: { [k("slos[0].runbookUrl")]: /an http\(s\) URL/ } },

    // Secrets: never echoed, never taken as plain config.
    { name: "secret: a Grafana URL with user:password@, the password unshown", stack: "dev", set: { alerting: alerting({ grafanaUrl: "https://admin:hunter2@grafana.acme-corp.example" }) }, keys: { [k("alerting.grafanaUrl")]: /without a user or password in it.*got "https:\/\/\[credentials\]@grafana.acme-corp.example"/ }, hidden: "hunter2" },
    { name: "secret: a Slack webhook pasted into the alerts channel", stack: "prod", set: { alerting: alerting({ slack: { ...slack, alertsChannel: "https://hooks.slack.com/services/T0ACME/B0ALERTS/q7Xw2Rk9SecretToken" } }) }, keys: { [k("alerting.slack.alertsChannel")]: /a Slack channel such as "#alerts"; got "https:\/\/hooks.slack.com\/\[webhook, not shown\]"/ }, hidden: "q7Xw2Rk9SecretToken" },
    { name: "secret: a webhook without its scheme in the monitoring channel", stack: "dev", set: { alerting: alerting({ slack: { ...slack, monitoringChannel: "hooks.slack.com/services/T0ACME/B0INFO/Zp4Lm8SecretToken" } }) }, keys: { [k("alerting.slack.monitoringChannel")]: /a Slack channel such as "#monitoring"/ }, hidden: "Zp4Lm8SecretToken" },
    { name: "secret: a secure: value on a key that is not a secret", stack: "dev", input: { secretOnPlainKeys: ["loki"] }, set: { loki: { storageGi: 20 } }, keys: { [k("loki")]: /a plain value: only pagerdutyRoutingKey, .* are secrets.*got a Pulumi secret \(not shown\)/ } },
    { name: "secret: the PagerDuty key given in plaintext", stack: "prod", input: { plaintextSecretKeys: ["pagerdutyRoutingKey"] }, keys: { [k("pagerdutyRoutingKey")]: /a Pulumi secret holding the PagerDuty Events API v2 integration.*got "a plaintext value \(not shown\)"/ } },

    // Shapes: wrong types and enums, named by key.
    { name: "shape: a tier that does not exist", stack: "dev", set: { tier: "enterprise" }, keys: { [k("tier")]: /one of "minimal" \| "long-term"; got "enterprise"/ } },
    { name: "shape: a backend the minimal tier cannot run", stack: "dev", set: { metricsBackend: "mimir" }, keys: { [k("metricsBackend")]: /one of "prometheus" in the minimal tier; got "mimir"/ } },
    { name: "shape: a region given as a zone", stack: "dev", input: { gcpRegion: "us-central1-a" }, keys: { "gcp:region": /a GCP region such as "us-central1" \(not a zone\)/ } },
    { name: "shape: two hubs", stack: "prod", set: { clusters: [hub("prod-gke", "asia-northeast3"), hub("other-gke", "asia-northeast3")] }, keys: { [k("clusters")]: /exactly one cluster with role "hub".*got "2 hubs: prod-gke, other-gke"/ } },
    { name: "shape: a spoke without the hub's fleet host", stack: "prod", set: { clusters: [hub("prod-gke", "asia-northeast3"), spoke] }, keys: { [k("fleet.hub.host")]: /the host name spokes reach the hub's fleet gateway at \(the stack has spokes: edge-gke\); got nothing/ } },
];

/** Valid input that must be accepted, with what it resolves to. */
const ACCEPTED: { name: string; stack: Stack; set?: Record<string, unknown>; input?: Partial<StackConfigInput>; check: (s: ReturnType<typeof resolveSettings>) => void }[] = [
    { name: "a two-digit region and zone (europe-west10-a)", stack: "dev", set: { clusters: [hub("dev-gke", "europe-west10-a")] }, input: { gcpRegion: "europe-west10" }, check: (s) => assert.equal(s.clusters[0].location, "europe-west10-a") },
    { name: "an RE2 inline (?i) in a pod regex", stack: "prod", set: { slos: service({}, { podRegex: "(?i)checkout-[a-z0-9]+" }) }, check: (s) => assert.equal(s.slos[0].podRegex, "(?i)checkout-[a-z0-9]+") },
    { name: "an end anchor in an error selector", stack: "prod", set: { slos: service({ errorSelector: { code: "5..$" } }) }, check: (s) => assert.deepEqual(s.slos[0].objectives[0].errorSelector, { code: "5..$" }) },
    { name: "each minimal retention at its cap", stack: "dev", set: { retention: { logsDays: 35, tracesDays: 14 }, prometheus: { retentionDays: 35 } }, check: (s) => assert.deepEqual([s.retention.logsDays, s.retention.tracesDays, s.prometheus.retentionDays], [35, 14, 35]) },
    { name: "long-term metrics at the cap less the default margin", stack: "prod", set: { retention: { metricsDays: 418 } }, check: (s) => assert.equal(s.retention.metricsDays, 418) },
    { name: "the longest lifecycle margin with 13 months of metrics", stack: "prod", set: { storage: { lifecycleMarginDays: 30 } }, check: (s) => assert.equal(s.storage.lifecycleMarginDays, 30) },
    { name: "a remote-write window where a spoke remote-writes to the minimal hub", stack: "dev", set: { clusters: [hub("dev-gke", "us-central1-a"), spoke], fleet: fleet("100.64.0.10"), remoteWrite: { localRetentionDays: 3 } }, check: (s) => assert.equal(s.remoteWrite.localRetentionDays, 3) },
    { name: "cache resources once the minimal tier turns caches on", stack: "dev", set: { loki: { caches: true }, resources: { lokiChunksCache: small("512Mi", "640Mi") } }, check: (s) => assert.equal(s.resources.lokiChunksCache.requests.memory, "512Mi") },
    { name: "a key of another tool's namespace (warned of, not refused)", stack: "dev", input: { otherKeys: ["someothertool:token"] }, check: (s) => assert.equal(s.tier, "minimal") },
];

describe("bad config, one class per case", () => {
    describe("is refused naming exactly the keys at fault", () => {
        for (const c of REFUSED) {
            it(c.name, () => {
                assert.throws(() => resolveCase(c), (err: unknown) => (assertRefused(err, c), true));
            });
        }
    });

    describe("valid input is accepted", () => {
        for (const c of ACCEPTED) it(c.name, () => c.check(resolveCase({ ...c, keys: {} })));
        for (const stack of ["dev", "prod"] as const) {
            it(`the ${stack} stack file resolves as it is`, () => {
                const s = resolveSettings(stackInput(stack));
                assert.equal(s.tier, stack === "dev" ? "minimal" : "long-term");
            });
        }
    });
});

describe("broken stack files", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-config-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const HEAD = ["config:", "  gcp:project: acme-observability-dev", "  gcp:region: us-central1", `  ${NS}:tier: minimal`];

    const files: { name: string; lines: string[]; at: string; expected: RegExp }[] = [
        { name: "a tab in the indentation", lines: [...HEAD, `\t${NS}:loki: {}`], at: "line 5, column 1", expected: /indentation with spaces \(YAML does not allow tabs\)/ },
        { name: "a key given twice", lines: [...HEAD, `  ${NS}:tier: long-term`], at: "line 5, column 3", expected: /each key once \(a second value of a key would silently replace the first\)/ },
        { name: "an unclosed flow map", lines: [...HEAD, `  ${NS}:loki: { storageGi: 20`], at: "line 6, column 1", expected: /got Flow map in block collection must be sufficiently indented and end with a \}/ },
    ];
    for (const f of files) {
        it(`names the line and column of ${f.name}, never a stack trace`, () => {
            const file = path.join(tmp, "Pulumi.broken.yaml");
            fs.writeFileSync(file, `${f.lines.join("\n")}\n`);
            assert.throws(() => readStackConfig(ROOT, "broken", file), (err: unknown) => {
                assert.ok(err instanceof ConfigError, `a ConfigError, not ${(err as Error).stack}`);
                const keys = [...linesByKey(err).keys()];
                assert.deepEqual(keys, [`${path.relative(process.cwd(), file)} ${f.at}`], err.message);
                assert.match(err.message, f.expected);
                return true;
            });
        });
    }

    const tops: { name: string; text: string; key: string; expected: RegExp }[] = [
        { name: "a list at the top level", text: "- config\n- gcp:project\n", key: "", expected: /a map at the top of the file.*got something else at the top level/ },
        { name: "config: as a list", text: "config:\n  - gcp:project: x\n", key: ": config", expected: /a map of config keys to values.*got a list/ },
        { name: "config: as a scalar", text: "config: minimal\n", key: ": config", expected: /a map of config keys to values.*got "minimal"/ },
    ];
    for (const t of tops) {
        it(`refuses ${t.name}`, () => {
            const file = path.join(tmp, "Pulumi.broken.yaml");
            fs.writeFileSync(file, t.text);
            assert.throws(() => readStackConfig(ROOT, "broken", file), (err: unknown) => {
                assert.ok(err instanceof ConfigError, `a ConfigError, not ${(err as Error).stack}`);
                assert.deepEqual([...linesByKey(err).keys()], [`${path.relative(process.cwd(), file)}${t.key}`], err.message);
                assert.match(err.message, t.expected);
                return true;
            });
        });
    }
});

describe("a refused config plans nothing", function () {
    this.timeout(120_000);

    // The whole program under mocks: the error is the ConfigError, and no resource is registered.
    const plans: { name: string; stack: Stack; set: Record<string, unknown>; secretKeys?: string[]; keys: Record<string, RegExp>; hidden?: string }[] = [
        { name: "a minimal retention of 999999 days", stack: "dev", set: { retention: { logsDays: 999999 } }, keys: { [k("retention.logsDays")]: /at most 35 days in the minimal tier/ } },
        { name: "long-term traces beyond a month plus the bucket margin", stack: "prod", set: { retention: { tracesDays: 60 } }, keys: { [k("retention.tracesDays")]: /at most 38 days in the long-term tier/ } },
        { name: "a bucket setting in the minimal tier", stack: "dev", set: { storage: { protectBuckets: true } }, keys: { [k("storage.protectBuckets")]: /the minimal tier has no Cloud Storage buckets/ } },
        {
            name: "a secure: Grafana URL holding a password",
            stack: "dev",
            set: { alerting: alerting({ grafanaUrl: "https://admin:hunter2@grafana.acme-corp.example" }) },
            secretKeys: [k("alerting")],
            keys: { [k("alerting")]: /got a Pulumi secret \(not shown\)/, [k("alerting.grafanaUrl")]: /without a user or password/ },
            hidden: "hunter2",
        },
    ];
    for (const p of plans) {
        it(`for ${p.name}`, async () => {
            const registered: string[] = [];
            await assert.rejects(
                planStack(p.stack, { config: stackConfig(p.stack, { set: p.set }), secretKeys: p.secretKeys ?? [], onRegistered: (r) => registered.push(`${r.type} ${r.name}`) }),
                (err: unknown) => (assertRefused(err, p), true),
            );
            // Only the stack itself, which Pulumi registers before the program reads its config.
            assert.deepEqual(registered.filter((r) => !r.startsWith("pulumi:pulumi:Stack ")), []);
        });
    }

    it("npm run plan leaves the earlier plan in --out untouched, exits 1 and prints the error alone", async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-config-plan-"));
        try {
            const out = path.join(tmp, "out");
            fs.mkdirSync(out);
            // An earlier plan: its marker and a file the failed plan must neither remove nor rewrite.
            fs.writeFileSync(path.join(out, ".offline-plan"), "earlier\n");
            fs.writeFileSync(path.join(out, "resources.json"), "[]\n");
            const before = fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]);
            const stackFile = path.join(tmp, "Pulumi.broken.yaml");
            const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
            fs.writeFileSync(stackFile, `${prod.trimEnd()}\n  ${NS}:retention:\n    logsDays: 999999\n`);
            const r = await runCommand(planCommand, ["--stack", "prod", "--stack-file", stackFile, "--out", out]);
            assert.equal(r.status, 1, r.stdout + r.stderr);
            assert.match(r.stderr, /^Invalid stack config for stack "prod" \(1 problem\):\n {2}- observability-platform:retention.logsDays: expected at most 418 days in the long-term tier/);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
            assert.deepEqual(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]), before);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
