// The request records a gateway started with RINGGATE_LOG=debug has logged to stderr so far.
'use strict';

// JSON record lines by request id (a later line with the same id replaces an earlier one).
function records(gw) {
  const out = new Map();
  for (const line of gw.stderr.split('\n')) {
    if (!line.startsWith('{"request_id":')) continue;
    const r = JSON.parse(line);
    out.set(r.request_id, r);
  }
  return out;
}

module.exports = { records };
