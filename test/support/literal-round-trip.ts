// Whether Prometheus reads query string literals back as the values they were written for: one
// `promtool test rules` run in which `absent(never_exported{v=<literal>})` fires an alert labelled
// with the matcher's value as Prometheus parsed it, compared with the value itself.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promtoolPath, runTool, type ToolRun } from "./prometheus-tools";

/**
 * JSON is YAML, but raw C1 controls, BOMs and the line and paragraph separators are not text to
 * the YAML 1.1 parser of promtool: those characters go in as \u escapes.
 */
const yamlSafeJson = (value: unknown): string =>
    JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export function promtoolReadsBack(cases: readonly { value: string; literal: string }[]): ToolRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "literal-round-trip-"));
    try {
        const rules = cases.map((c, i) => ({ alert: `V${i}`, expr: `absent(never_exported{v=${c.literal}})` }));
        const tests = [
            {
                interval: "1m",
                input_series: [],
                alert_rule_test: cases.map((c, i) => ({ eval_time: "1m", alertname: `V${i}`, exp_alerts: [{ exp_labels: { v: c.value } }] })),
            },
        ];
        fs.writeFileSync(path.join(dir, "rules.yaml"), yamlSafeJson({ groups: [{ name: "literals", rules }] }));
        fs.writeFileSync(path.join(dir, "test.yaml"), yamlSafeJson({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
        return runTool(promtoolPath(), ["test", "rules", "test.yaml"], dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
