// Validates custom resources against the CRDs the pinned charts install, as the API server would
// (structural OpenAPI v3 schema: types, required fields, enums, patterns, unknown fields pruned or
// rejected where the schema says so).
import Ajv, { type ValidateFunction } from "ajv";
import { pinnedChartCrds, type CrdDefinition } from "./charts";

const schemas = new Map<string, Record<string, unknown>>();
const validators = new Map<string, ValidateFunction>();
let loaded = false;

/** CRD patterns are Go regular expressions: turn Go's inline "(?i)" into JavaScript's "i" flag. */
function goRegExp(pattern: string, flags: string): RegExp {
    const caseInsensitive = pattern.includes("(?i)");
    return new RegExp(pattern.replaceAll("(?i)", ""), caseInsensitive ? `${flags}i` : flags);
}
goRegExp.code = "goRegExp";

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });

/** Turns Kubernetes' OpenAPI extensions into what a JSON-schema validator understands. */
function toJsonSchema(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(toJsonSchema);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
        if (key.startsWith("x-kubernetes-")) continue;
        out[key] = toJsonSchema(value);
    }
    const n = node as Record<string, unknown>;
    // int-or-string fields carry no type of their own.
    if (n["x-kubernetes-int-or-string"] === true) {
        delete out.type;
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    // Objects without declared properties (and not preserve-unknown) are free-form maps only via
    // additionalProperties; objects with properties reject unknown fields (the API server prunes
    // them silently, which for us is just as wrong: the setting would be lost).
    if (out.type === "object" && out.properties && out.additionalProperties === undefined && n["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

function load(): void {
    if (loaded) return;
    addCrds(pinnedChartCrds());
    loaded = true;
}

/** Adds CRDs beyond the pinned charts' (those a rendered release installs, say). */
export function addCrds(crds: readonly CrdDefinition[]): void {
    for (const crd of crds) {
        for (const version of crd.versions) {
            const key = `${crd.group}/${version.name}/${crd.names.kind}`;
            if (version.schema?.openAPIV3Schema && !schemas.has(key)) schemas.set(key, version.schema.openAPIV3Schema);
        }
    }
}

function validatorFor(key: string): ValidateFunction | undefined {
    load();
    if (!validators.has(key)) {
        const raw = schemas.get(key);
        if (!raw) return undefined;
        const schema = toJsonSchema(raw) as Record<string, unknown>;
        // apiVersion, kind and metadata are checked by the API server itself.
        const properties = { ...(schema.properties as object), metadata: { type: "object" } };
        validators.set(key, ajv.compile({ ...schema, properties }));
    }
    return validators.get(key);
}

/** Problems of a custom resource against its CRD; empty when it is valid. Throws for an unknown kind. */
export function crdProblems(resource: { apiVersion: string; kind: string; [key: string]: unknown }): string[] {
    const key = `${resource.apiVersion}/${resource.kind}`;
    const validate = validatorFor(key);
    if (!validate) throw new Error(`no CRD of the pinned charts defines ${key}`);
    if (validate(resource)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
}
