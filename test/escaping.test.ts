// Config values inside queries and templates: written as literals that read back as the value
// (checked by hand-written expectations and by Prometheus itself), or refused with their key path.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config/errors";
import { resolveSettings } from "../components/config/settings";
import { queryString } from "../components/sre/escape";
import { platformDashboards } from "../components/dashboards/catalog";
import { queriesOf } from "./support/dashboard-queries";
import { serviceSources } from "../components/dashboards/install";
import { PLATFORM_COMPONENTS } from "../components/dashboards/inputs";
import { DATASOURCE_UIDS } from "../components/grafana/datasource";
import { promtoolReadsBack } from "./support/literal-round-trip";
import { parseErrors } from "./support/query-grammars";

const latency = {
    name: "latency",
    kind: "latency",
    target: 95,
    metric: "http_server_request_duration_seconds",
    selector: { job: "api" },
    thresholdSeconds: 0.3,
    bucket: "0.3",
};
const availability = {
    name: "availability",
    kind: "availability",
    target: 99.9,
    metric: "http_server_request_duration_seconds_count",
    selector: { job: "api" },
    errorSelector: { http_response_status_code: "5.." },
};

function resolve(service: Record<string, unknown>) {
    return resolveSettings({
        stack: "prod",
        namespace: "observability-platform",
        gcpProject: "acme-observability-prod",
        gcpRegion: "asia-northeast3",
        values: {
            tier: "long-term",
            clusters: [{ name: "prod-gke", location: "asia-northeast3", role: "hub" }],
            slos: [{ service: "api", owner: "team-a", runbookUrl: "https://runbooks.example.com/api", objectives: [latency], ...service }],
        },
    });
}

/** The ConfigError's lines, by config key. */
function refused(service: Record<string, unknown>): Map<string, string> {
    try {
        resolve(service);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return new Map(err.message.split("\n").filter((l) => l.startsWith("  - ")).map((l) => [l.slice(4).split(": ", 1)[0], l]));
    }
    assert.fail("the config was accepted");
}

describe("escaping config values into queries", () => {
    it("writes quotes, backslashes and control characters with Go's escapes", () => {
        assert.equal(queryString('a"b'), '"a\\"b"');
        assert.equal(queryString("5\\d\\d"), '"5\\\\d\\\\d"');
        assert.equal(queryString("line\nnext\r\ttab"), '"line\\nnext\\r\\ttab"');
        assert.equal(queryString("nul\u0000bell\u0007del\u007f"), '"nul\\x00bell\\x07del\\x7f"');
        assert.equal(queryString("single ' and `back`"), "\"single ' and `back`\"");
    });

    it("escapes what YAML 1.1 reads as a line break or refuses as unprintable (Prometheus parses rule files with it)", () => {
        assert.equal(queryString("a\u2028b\u2029c\u0085d"), '"a\\u2028b\\u2029c\\u0085d"');
        assert.equal(queryString("\u0080\u009f\ufeff\uffff"), '"\\u0080\\u009f\\ufeff\\uffff"');
    });

    it("keeps Grafana from reading $name, ${name} or [[name]] inside a literal as its variables", () => {
        assert.equal(queryString("$__range"), '"\\x24__range"');
        assert.equal(queryString("${cluster}"), '"\\x24{cluster}"');
        assert.equal(queryString("[[pod]]"), '"\\x5b[pod]]"');
        // A character class alone is left readable.
        assert.equal(queryString("5[0-9]{2}"), '"5[0-9]{2}"');
    });

    it("leaves other Unicode as it is and refuses a lone surrogate, which no UTF-8 query can hold", () => {
        assert.equal(queryString("café 😀 ✓"), '"café 😀 ✓"');
        assert.throws(() => queryString("a\ud800b"), /lone UTF-16 surrogate/);
        assert.throws(() => queryString("\udc00"), /lone UTF-16 surrogate/);
    });

    it("reads back in Prometheus as the very value", function () {
        this.timeout(20_000);
        const values = ['a"b', "back\\slash", "\\n is not a newline", "tab\there", "line\nbreak", "$__range", "[[pod]]", "ünï 😀", "nul\u0000", "}}", "ls\u2028ps\u2029nel\u0085", "\ufeff\u0080"];
        const run = promtoolReadsBack(values.map((value) => ({ value, literal: queryString(value) })));
        assert.equal(run.status, 0, run.output);
    });

    it("puts a selector value Grafana would misread into the service dashboards as an escape", () => {
        const settings = resolve({ objectives: [{ ...latency, selector: { job: "api$" } }, { ...availability, selector: { job: "api$" } }] });
        const dashboards = platformDashboards({
            ...serviceSources(settings),
            platform: { components: new Set(PLATFORM_COMPONENTS), prometheusRemoteWrite: true, namespaces: ["monitoring"] },
            datasourceUids: new Set(Object.values(DATASOURCE_UIDS)),
        });
        const queries = dashboards.flatMap(queriesOf).filter((q) => q.text.includes('job="api'));
        assert.ok(queries.length > 0, "the service dashboards select on the job");
        for (const q of queries) {
            assert.ok(q.text.includes('job="api\\x24"'), q.text);
            assert.deepEqual(parseErrors(q.language, q.text), [], q.text);
        }
    });
});

describe("refusing template delimiters and non-text in config values", () => {
    const job = "observability-platform:slos[0].objectives[0].selector.job";

    for (const [what, value] of [
        ["{{", "{{ .Labels.job }}"],
        ["}}", "api}}"],
        ["$name", "$cluster"],
        ["${name}", "${__range}"],
        ["[[name]]", "[[pod]]"],
    ] as const) {
        it(`refuses ${what} in a selector value (it reaches alert annotations and Grafana queries)`, () => {
            const lines = refused({ objectives: [{ ...latency, selector: { job: value } }] });
            assert.deepEqual([...lines.keys()], [job]);
            assert.match(lines.get(job) ?? "", /template delimiters/);
        });
    }

    it("refuses {{ in an error selector's regex, naming its label", () => {
        const lines = refused({ objectives: [{ ...availability, errorSelector: { code: "5{{2}}" } }] });
        assert.ok(lines.has("observability-platform:slos[0].objectives[0].errorSelector.code"), [...lines.keys()].join(", "));
    });

    it("refuses a lone surrogate in a selector value and in a pod regex, naming each key", () => {
        const lines = refused({ objectives: [{ ...latency, selector: { job: "api\ud800" } }], podRegex: "api-\udc00.*" });
        assert.deepEqual([...lines.keys()].sort(), [job, "observability-platform:slos[0].podRegex"]);
        assert.match(lines.get(job) ?? "", /valid Unicode/);
        assert.match(lines.get("observability-platform:slos[0].podRegex") ?? "", /valid Unicode/);
    });
});
