// Property test: configs generated from the SLO and alerting schema, with hostile text in every
// free-text field. Each one is either refused with one ConfigError, or every rule file it yields
// passes `promtool check rules`, its Alertmanager config passes `amtool check-config`, every query
// of its rules and dashboards parses, the rules' templates hold only the program's own actions, and
// each selector value reads back as itself in Prometheus. A refusal never repeats a URL's password.
// Fixed seed and bounded runs: the same cases on every run (see NUM_RUNS below).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";
import type { Settings } from "../components/config/schema";
import { platformDashboards } from "../components/dashboards/catalog";
import { PLATFORM_COMPONENTS } from "../components/dashboards/inputs";
import { serviceSources } from "../components/dashboards/install";
import { queriesOf } from "./support/dashboard-queries";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { alertmanagerConfig, placeholderSecrets } from "../components/sre/alertmanager-config";
import { yamlText } from "../components/sre/install";
import { prometheusRules } from "../components/sre/prometheus-rules";
import { promtoolReadsBack } from "./support/literal-round-trip";
import { amtoolPath, promtoolPath, runTool } from "./support/prometheus-tools";
import { parseErrors, parseQuery } from "./support/query-grammars";

const SEED = 20261203;
const NUM_RUNS = 1000;
/** The template actions the rules themselves write (written out by hand). */
const PROGRAM_ACTIONS =
    /^\{\{ (\$value( \| humanize(Percentage|Duration)?)?|\$labels\.[a-z_]+|with query "slo:current_burn_rate:ratio\{service='[-a-z0-9]+',slo='[-a-z0-9]+'\}"|\. \| first \| value \| printf "%\.1f"|else|end) \}\}$/;
/** Marks the password of URLs with credentials: no error text may repeat it. */
const PASSWORD = "hunter2SECRET";

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Pieces that mean something to PromQL, LogQL, Go templates, Grafana, YAML or RE2. */
const fragment = fc.oneof(
    { depthSize: "small", withCrossShrink: false },
    pick('"', "'", "`", "\\", "\\\\", "\n", "\r\n", "\t", "\u0000", "\u007f", "\u2028", "{{", "}}", "{{ .Labels.job }}", '{{ "x" }}'),
    pick("$", "$1", "$job", "${cluster}", "$__range", "[[pod]]", "[[", "]]", "{", "}", "|", "#", ": ", "- ", "&a", "*a", "!!str", "%"),
    pick("(?=x)", "(", ")", "[", "a{1001}", "\\1", "(?i)", ".*", "5..", "^", "$", "é", "😀", "\u202e", "\ufeff"),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: "grapheme", maxLength: 8 }),
);
const hostile = fc.oneof(
    { weight: 6, arbitrary: fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("")) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 200, maxLength: 3000 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 4 }), loneSurrogate).map(([a, b]) => a + b) },
);
/** Mostly `valid` (so that many configs are accepted and their artifacts checked), sometimes hostile. */
const field = <T>(valid: fc.Arbitrary<T>, weight = 30) => fc.oneof({ weight, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const name = field(pick("api", "checkout", "web-frontend", "a", "x".repeat(40)));
const labelName = fc.oneof(
    { weight: 30, arbitrary: pick("job", "namespace", "container", "service_name", "le", "code") },
    { weight: 1, arbitrary: pick("__name__", "__meta_x", "1abc", "a-b", "") },
    { weight: 1, arbitrary: hostile },
);
/** Label values: often text that needs escaping, sometimes plain hostile. */
const labelValue = field(
    pick("api", "shop", "api-server", "a.b:c/d", "with space", "a\\b", "\\", "it's", "`x`", "tab\there", "ünï 😀", "\u2028", "\u202e", "5$", "[x", "{x}", "%s", "\x01"),
    8,
);
const regex = field(pick("5..", "5[0-9]{2}", "(?i)error|fail", "4..|5..", "^5..$", ".+", "\\d{3}", "a\\\\b", "\\[\\]", "é|😀"), 4);
const url = fc.oneof(
    { weight: 30, arbitrary: pick("https://runbooks.example.com/api", "http://wiki.internal/runbooks/", "https://example.com/a?b=c#d") },
    { weight: 1, arbitrary: pick(`https://ops:${PASSWORD}@example.com/`, "https://example.com/{{ .x }}", "https://<host>/", "ftp://example.com", "https://example.com/%7B%7B") },
    { weight: 1, arbitrary: hostile.map((h) => `https://example.com/${h}`) },
    { weight: 1, arbitrary: hostile },
);
const channel = field(pick("#alerts", "#monitoring", "#team-a_alerts"));
const target = fc.oneof({ weight: 20, arbitrary: pick(99.9, 99, 95, 99.95, 99.5) }, { weight: 1, arbitrary: fc.double() });
const selector = fc.dictionary(labelName, labelValue, { minKeys: 1, maxKeys: 3 });

const objective = (shared: Record<string, string>) => fc.oneof(
    fc.record({
        name,
        kind: pick("availability"),
        target,
        metric: field(pick("http_requests_total", "http_server_request_duration_seconds_count", "grpc:requests:rate5m")),
        selector: selector.map((own) => ({ ...own, ...shared })),
        errorSelector: fc.dictionary(labelName, regex, { minKeys: 1, maxKeys: 2 }),
        minRequestRate: fc.oneof({ weight: 8, arbitrary: pick(0.5, 2, 0.001) }, { weight: 1, arbitrary: fc.double() }),
    }, { requiredKeys: ["name", "kind", "target", "metric", "selector", "errorSelector"] }),
    fc.record({
        name,
        kind: pick("latency"),
        target,
        metric: field(pick("http_request_duration_seconds", "rpc_latency_seconds")),
        selector: selector.map((own) => ({ ...own, ...shared })),
        // The bucket spelled as exporters may, and sometimes not a number at all.
        threshold: fc.oneof(
            { weight: 8, arbitrary: pick<[number, string]>([0.3, "0.3"], [1, "1"], [1, "1.0"], [0.05, "0.05"], [0.3, " 0.3 "], [0.3, "3e-1"]) },
            { weight: 1, arbitrary: hostile.map((h): [number, string] => [0.3, h]) },
        ),
    }).map(({ threshold: [thresholdSeconds, bucket], ...rest }) => ({ ...rest, thresholdSeconds, bucket })),
);
const service = fc.record(
    {
        service: name,
        owner: field(pick("team-a", "sre", "payments_core")),
        runbookUrl: url,
        // The SLOs of a service share at least one selector label (the config requires it).
        objectives: selector.chain((shared) => fc.uniqueArray(objective(shared), { minLength: 1, maxLength: 2, selector: (o) => o.name })),
        namespace: field(pick("shop", "payments", "a")),
        podRegex: field(pick("api-.*", "checkout-[a-z0-9]+-.*", "(?i)web.*")),
    },
    { requiredKeys: ["service", "owner", "runbookUrl", "objectives"] },
);
const config = fc.record({
    slos: fc.uniqueArray(service, { minLength: 1, maxLength: 2, selector: (s) => s.service }),
    alerting: fc.record(
        {
            runbookBaseUrl: url,
            grafanaUrl: url,
            slack: fc.record({ alertsChannel: channel, monitoringChannel: channel }),
        },
        { requiredKeys: ["runbookBaseUrl", "slack"] },
    ),
});

const HUB = "prod-gke";
function resolve(values: Record<string, unknown>): Settings {
    return resolveSettings({
        stack: "prod",
        namespace: "observability-platform",
        gcpProject: "acme-observability-prod",
        gcpRegion: "asia-northeast3",
        values: { tier: "long-term", clusters: [{ name: HUB, location: "asia-northeast3", role: "hub" }], ...values },
    });
}

/** Go's unquoting of a double-quoted literal, written out here, independent of the program's escaping. */
function goUnquote(literal: string): string {
    assert.ok(literal.startsWith('"') && literal.endsWith('"'), literal);
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };
    const bytes: number[] = [];
    const body = literal.slice(1, -1);
    for (let i = 0; i < body.length; i++) {
        if (body[i] !== "\\") {
            const cp = body.codePointAt(i) as number;
            bytes.push(...Buffer.from(String.fromCodePoint(cp), "utf8"));
            if (cp > 0xffff) i++;
            continue;
        }
        const e = body[++i];
        if (e in simple) bytes.push(simple[e].charCodeAt(0));
        else if (e === "x") (bytes.push(parseInt(body.slice(i + 1, i + 3), 16)), (i += 2));
        else if (e === "u") (bytes.push(...Buffer.from(String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16)), "utf8")), (i += 4));
        else assert.fail(`unexpected escape \\${e} in ${literal}`);
    }
    return Buffer.from(bytes).toString("utf8");
}

/** The equality matchers of every vector selector in a PromQL query, values unquoted. */
function equalityMatchers(expr: string): { label: string; literal: string; value: string }[] {
    const { tree, source } = parseQuery("promql", expr);
    const out: { label: string; literal: string; value: string }[] = [];
    tree.iterate({
        enter(node) {
            if (node.name !== "UnquotedLabelMatcher") return;
            const [label, op, value] = ["LabelName", "MatchOp", "StringLiteral"].map((n) => node.node.getChild(n));
            if (label && op && value && source.slice(op.from, op.to) === "=") {
                const literal = source.slice(value.from, value.to);
                out.push({ label: source.slice(label.from, label.to), literal, value: goUnquote(literal) });
            }
        },
    });
    return out;
}

interface Accepted {
    rules: string[];
    alertmanager: string;
    /** Each selector value with the literal the rules carry for it. */
    selectorValues: { value: string; literal: string }[];
}

describe("hostile config values (property test)", function () {
    this.timeout(120_000);
    const accepted: Accepted[] = [];
    let refusedCount = 0;

    before(function () {
        fc.assert(
            fc.property(config, (values) => {
                let settings: Settings;
                try {
                    settings = resolve(values);
                } catch (err) {
                    if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error).stack}`);
                    assert.ok(!err.message.includes(PASSWORD), "the error repeats a URL's password");
                    assert.ok(err.problems.length > 0);
                    refusedCount++;
                    return;
                }
                const groups = prometheusRules(settings, HUB).flatMap((p) => p.groups);
                for (const g of groups) {
                    for (const r of g.rules) {
                        assert.deepEqual(parseErrors("promql", r.expr), [], r.expr);
                        // Prometheus expands labels and annotations as templates: config text must
                        // add no action of its own to them.
                        for (const text of [...Object.values(r.labels ?? {}), ...Object.values("annotations" in r ? r.annotations : {})]) {
                            for (const action of text.matchAll(/\{\{.*?\}\}/gs)) assert.match(action[0], PROGRAM_ACTIONS, text);
                        }
                    }
                }
                const dashboards = platformDashboards({
                    ...serviceSources(settings),
                    platform: { components: new Set(PLATFORM_COMPONENTS), prometheusRemoteWrite: true, namespaces: Object.values(settings.namespaces) },
                    datasourceUids: new Set(Object.values(DATASOURCE_UIDS)),
                });
                for (const q of dashboards.flatMap(queriesOf)) assert.deepEqual(parseErrors(q.language, q.text), [], `${q.where}: ${q.text}`);

                // Every configured selector value is a matcher of the SLO rules, reading back as itself.
                const matchers = new Map(groups.flatMap((g) => g.rules.flatMap((r) => equalityMatchers(r.expr))).map((m) => [`${m.label}\u0000${m.value}`, m.literal]));
                const selectorValues: { value: string; literal: string }[] = [];
                for (const s of settings.slos) {
                    for (const o of s.objectives) {
                        for (const [label, value] of Object.entries(o.selector)) {
                            const literal = matchers.get(`${label}\u0000${value}`);
                            assert.ok(literal !== undefined, `${label}=${JSON.stringify(value)} is not a matcher of the rules as written`);
                            selectorValues.push({ value, literal });
                        }
                    }
                }
                accepted.push({
                    rules: prometheusRules(settings, HUB).map((p) => yamlText({ groups: p.groups })),
                    alertmanager: yamlText(alertmanagerConfig(settings, placeholderSecrets(settings))),
                    selectorValues,
                });
            }),
            { seed: SEED, numRuns: NUM_RUNS },
        );
    });

    it(`refuses some and accepts many of ${NUM_RUNS} generated configs (the generator reaches both sides)`, () => {
        assert.equal(refusedCount + accepted.length, NUM_RUNS);
        assert.ok(accepted.length >= NUM_RUNS / 10, `only ${accepted.length} accepted`);
        assert.ok(refusedCount >= NUM_RUNS / 10, `only ${refusedCount} refused`);
        console.log(`      (${accepted.length} accepted, ${refusedCount} refused)`);
    });

    it("every accepted config's rule files pass promtool check rules (one run for all)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-rules-"));
        try {
            const files = accepted.flatMap((a, i) => a.rules.map((text, j) => {
                const file = path.join(dir, `c${i}-${j}.yaml`);
                fs.writeFileSync(file, text);
                return file;
            }));
            const run = runTool(promtoolPath(), ["check", "rules", ...files]);
            assert.equal(run.status, 0, run.output.split("\n").filter((l) => !/SUCCESS|^Checking|^$/.test(l)).slice(0, 20).join("\n"));
        } finally {
            // HOSTILE_KEEP=1 keeps the files of a failing run to look at.
            if (!process.env.HOSTILE_KEEP) fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every accepted config's Alertmanager config passes amtool check-config (one run for all)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-am-"));
        try {
            const texts = [...new Set(accepted.map((a) => a.alertmanager))];
            const files = texts.map((text, i) => {
                const file = path.join(dir, `am${i}.yaml`);
                fs.writeFileSync(file, text);
                return file;
            });
            const run = runTool(amtoolPath(), ["check-config", ...files]);
            assert.equal(run.status, 0, run.output.slice(0, 3000));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every accepted selector value reads back as itself in Prometheus (one promtool test run)", () => {
        const values = [...new Map(accepted.flatMap((a) => a.selectorValues).map((v) => [v.value, v])).values()].filter((v) => v.value !== "");
        assert.ok(values.length > 50, `only ${values.length} values`);
        // absent() returns the equality matchers of its selector as labels: Prometheus' reading of
        // the literal the rules carry (taken from the accepted rules, not rebuilt here).
        const run = promtoolReadsBack(values);
        assert.equal(run.status, 0, run.output.slice(0, 3000));
    });
});
