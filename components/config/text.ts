// Text checks the config shares with the query builders (sre/escape.ts).

/** Lone UTF-16 surrogates: not text at all in UTF-8, which is what Prometheus and Loki read. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
