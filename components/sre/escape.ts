// The one way a config value becomes a string literal in a query. PromQL, LogQL and TraceQL all
// read double-quoted literals with Go's escapes, and the same text may end up in a Grafana
// dashboard, where `$name`, `${name}` and `[[name]]` are variables Grafana replaces before the
// query is sent. Writing `$` and the first `[` of `[[` as hex escapes keeps the value the datasource
// receives exactly the configured one, in rules and dashboards alike.

import { LONE_SURROGATE } from "../config/text";

const hex2 = (code: number) => `\\x${code.toString(16).padStart(2, "0")}`;

/**
 * `value` as a double-quoted PromQL/LogQL/TraceQL string literal that reads back as `value`
 * (regexes too: the literal is unquoted before RE2 sees it). Config validation refuses lone
 * surrogates; reaching one here is a bug, so it throws rather than writing a value Go rejects.
 */
export function queryString(value: string): string {
    if (LONE_SURROGATE.test(value)) throw new Error("a query string literal cannot hold a lone UTF-16 surrogate");
    const chars = Array.from(value);
    let out = '"';
    chars.forEach((ch, i) => {
        const code = ch.codePointAt(0) as number;
        if (ch === "\\" || ch === '"') out += `\\${ch}`;
        else if (ch === "\n") out += "\\n";
        else if (ch === "\r") out += "\\r";
        else if (ch === "\t") out += "\\t";
        else if (code < 0x20 || code === 0x7f) out += hex2(code);
        // Not printable in YAML 1.1, or a line break to it (NEL, LS, PS): Prometheus' YAML parser
        // would refuse the rule file or break a block scalar there.
        else if ((code >= 0x80 && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff || code === 0xfffe || code === 0xffff)
            out += `\\u${code.toString(16).padStart(4, "0")}`;
        // Grafana variables: `$x`, `${x}`, `[[x]]`.
        else if (ch === "$" || (ch === "[" && chars[i + 1] === "[")) out += hex2(code);
        else out += ch;
    });
    return `${out}"`;
}

