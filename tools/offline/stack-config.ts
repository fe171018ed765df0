// Reads Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the engine hands a program.
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, parseDocument } from "yaml";
import { ConfigError, type ConfigProblem } from "../../components/config/errors";
// Stands in for a `secure:` value, which only the Pulumi CLI can decrypt; the program knows it.
import { OFFLINE_SECRET_STAND_IN } from "../../components/config/secrets";

export interface StackConfig {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
}


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
        if ("secure" in value && Object.keys(value).length === 1) return OFFLINE_SECRET_STAND_IN;
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

/** What to do about each kind of YAML problem the parser reports. */
const YAML_FIXES: Readonly<Record<string, string>> = {
    DUPLICATE_KEY: "each key once (a second value of a key would silently replace the first)",
    TAB_AS_INDENT: "indentation with spaces (YAML does not allow tabs)",
    BAD_INDENT: "consistent indentation with spaces",
    MISSING_CHAR: "a closing bracket or quote",
    MULTILINE_IMPLICIT_KEY: "a key and its value on one line, or a quoted value",
};

/**
 * A stack or project file as YAML: every syntax problem (tabs, a duplicate key, bad indentation), a
 * top level that is not a map, or a `config:` that is not one, becomes one ConfigError naming the
 * file, line and column and what to write instead. Never a stack trace.
 */
export function parseStackFile(file: string, text: string, stack: string, namespace: string): Record<string, unknown> {
    const name = path.relative(process.cwd(), file) || file;
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    const problems: ConfigProblem[] = doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return {
            path: [],
            key: at ? `${name} line ${at.line}, column ${at.col}` : name,
            expected: YAML_FIXES[e.code] ?? "valid YAML",
            given: undefined,
            givenText: e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
        };
    });
    if (problems.length === 0 && doc.contents !== null && !isMap(doc.contents)) {
        problems.push({ path: [], key: name, expected: "a map at the top of the file, such as `config:` with the stack's keys", given: undefined, givenText: "something else at the top level" });
    }
    const top = problems.length === 0 ? ((doc.toJS() ?? {}) as Record<string, unknown>) : {};
    const config = top.config;
    if (problems.length === 0 && config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) {
        problems.push({ path: [], key: `${name}: config`, expected: "a map of config keys to values, such as `gcp:project: my-project`", given: config, givenText: Array.isArray(config) ? "a list" : JSON.stringify(config) });
    }
    if (problems.length > 0) throw new ConfigError(stack, namespace, problems);
    return top;
}

export function readStackConfig(projectDir: string, stack: string, stackFile?: string): StackConfig {
    const projectPath = path.join(projectDir, "Pulumi.yaml");
    const projectFile = parseStackFile(projectPath, fs.readFileSync(projectPath, "utf8"), stack, "project") as Record<string, any>;
    const project: string = projectFile.name;
    const stackPath = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), stackPath) || stackPath} for stack "${stack}"`);
    }
    const stackDoc = parseStackFile(stackPath, fs.readFileSync(stackPath, "utf8"), stack, project) as Record<string, any>;
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
