// Validates a release's values as Helm does: merged over the chart's defaults (a null deletes a
// key), then checked against the chart's values.schema.json.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import { chartDir, chartValues } from "./charts";

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Helm's coalescing of user values over chart defaults: maps merge, null removes, the rest replaces. */
export function helmMerge(defaults: Json, values: Json): Json {
    if (!isObject(defaults) || !isObject(values)) return structuredClone(values);
    const out: Record<string, Json> = structuredClone(defaults);
    for (const [key, value] of Object.entries(values)) {
        if (value === null) delete out[key];
        else out[key] = key in out ? helmMerge(out[key], value) : dropNulls(value);
    }
    return out;
}

function dropNulls(v: Json): Json {
    if (Array.isArray(v)) return v.map(dropNulls);
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(chart: string): ValidateFunction {
    let validate = validators.get(chart);
    if (!validate) {
        const schema = JSON.parse(fs.readFileSync(path.join(chartDir(chart), "values.schema.json"), "utf8"));
        const draft2019 = String(schema.$schema ?? "").includes("2019-09");
        delete schema.$schema;
        const options = { allErrors: true, strict: false, validateFormats: false } as const;
        validate = (draft2019 ? new Ajv2019(options) : new Ajv(options)).compile(schema);
        validators.set(chart, validate);
    }
    return validate;
}

/** Schema problems of `values` merged over the chart's defaults; empty when Helm would accept them. */
export function valuesSchemaProblems(chart: string, values: Record<string, unknown>): string[] {
    const validate = validatorFor(chart);
    const merged = helmMerge(chartValues(chart), values);
    if (validate(merged)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
