import * as assert from "node:assert/strict";
import { crdProblems } from "./support/crd-schema";

describe("CRD schema validation helper", () => {
    const rule = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "example", namespace: "monitoring" },
        spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "5m", labels: { severity: "warning" } }] }] },
    };

    it("accepts a valid PrometheusRule", () => {
        assert.deepEqual(crdProblems(rule), []);
    });

    it("rejects a missing required field, a wrong type and an unknown field", () => {
        const bad = {
            ...rule,
            spec: { groups: [{ rules: [{ alert: "A", expr: "up == 0", fore: "5m", labels: { severity: 3 } }] }] },
        };
        const problems = crdProblems(bad).join("\n");
        assert.match(problems, /must have required property 'name'/);
        assert.match(problems, /labels\/severity must be string/);
        assert.match(problems, /must NOT have additional properties.*fore/);
    });

    it("refuses a kind it has no CRD for", () => {
        assert.throws(() => crdProblems({ apiVersion: "example.com/v1", kind: "Nope" }), /no CRD/);
    });
});
