// Reads Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the engine hands a program.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface StackConfig {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
}

/** Stands in for a `secure:` value, which only the Pulumi CLI can decrypt. */
export const SECRET_PLACEHOLDER = "offline-plan-placeholder-secret";

function hasSecure(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(hasSecure);
    if (typeof value === "object" && value !== null) {
        return "secure" in value || Object.values(value).some(hasSecure);
    }
    return false;
}

function replaceSecure(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(replaceSecure);
    if (typeof value === "object" && value !== null) {
        if ("secure" in value && Object.keys(value).length === 1) return SECRET_PLACEHOLDER;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v)]));
    }
    return value;
}

/** The engine passes scalars as their text and structured values as JSON. */
function engineValue(value: unknown): string {
    if (typeof value === "string") return value;
    if (typeof value === "object" && value !== null) return JSON.stringify(value);
    return String(value);
}

export function readStackConfig(projectDir: string, stack: string, stackFile?: string): StackConfig {
    const projectFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) ?? {};
    const project: string = projectFile.name;
    const stackPath = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), stackPath) || stackPath} for stack "${stack}"`);
    }
    const stackDoc = parse(fs.readFileSync(stackPath, "utf8")) ?? {};
    const entries: Record<string, unknown> = {};
    // Project-level defaults (Pulumi.yaml `config:`), then the stack's own keys.
    for (const [key, decl] of Object.entries<any>(projectFile.config ?? {})) {
        const value = typeof decl === "object" && decl !== null && "default" in decl ? decl.default : decl;
        if (value !== undefined && (typeof decl !== "object" || decl === null || "default" in decl)) {
            entries[key.includes(":") ? key : `${project}:${key}`] = value;
        }
    }
    for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
        entries[key.includes(":") ? key : `${project}:${key}`] = value;
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(entries)) {
        if (hasSecure(value)) secretKeys.push(key);
        config[key] = engineValue(replaceSecure(value));
    }
    return { project, stack, config, secretKeys };
}
