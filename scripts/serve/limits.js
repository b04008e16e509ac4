'use strict';
/**
 * The dev server's limits, in one place: LIMITS (what each bounds is said beside it and
 * in scripts/serve.js's header), limitsWith(overrides) for tests of the mechanism (unknown
 * names and impossible values are refused), and describeLimits(limits), the line the
 * server prints at startup.
 */

const LIMITS = Object.freeze({
  headersMs: 5000,        // the whole request (line and headers; no bodies) must arrive within this
  checkIntervalMs: 500,   // how often Node looks for requests over headersMs
  maxHeaderBytes: 16384,  // request line and headers together (Node's default, made explicit)
  responseMs: 60000,      // sending one response, from its request's arrival to its last byte
  stalledMs: 10000,       // nothing moving either way on a connection with a request under way
  keepAliveMs: 5000,      // an idle connection between requests
  maxConnections: 100,    // open at once; more are closed as soon as accepted
  maxPerAddress: 20,      // open at once from one client address (an IPv6 /64); room for a few browsers'
                          // 6 each, and well under maxConnections, so one address cannot fill it
});

/** LIMITS with `overrides` applied; throws on an unknown name or a value that is not a positive whole number. */
function limitsWith(overrides = {}) {
  const unknown = Object.keys(overrides).filter((name) => !Object.hasOwn(LIMITS, name));
  if (unknown.length) throw new Error(`createServer: unknown limit ${unknown.join(', ')}`);
  const limits = { ...LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`createServer: limit ${name} must be a positive whole number, got ${value}`);
    }
  }
  if (limits.maxPerAddress >= limits.maxConnections) {
    throw new Error(`createServer: maxPerAddress (${limits.maxPerAddress}) must be below maxConnections ` +
      `(${limits.maxConnections}), or one address could take every connection`);
  }
  return Object.freeze(limits);
}

/** The limits in words, for the startup text. */
function describeLimits(limits = LIMITS) {
  const s = (ms) => `${ms / 1000} s`;
  return `Limits: headers within ${s(limits.headersMs)} and ${limits.maxHeaderBytes / 1024} KiB, no request bodies (413), ` +
    `a response sent within ${s(limits.responseMs)} and never stalled ${s(limits.stalledMs)}, ` +
    `idle keep-alive ${s(limits.keepAliveMs)}, at most ${limits.maxConnections} connections, ` +
    `${limits.maxPerAddress} from one address`;
}

module.exports = { LIMITS, limitsWith, describeLimits };
