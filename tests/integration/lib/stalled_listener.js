// Listens on 127.0.0.1 with a backlog of 1 and then blocks its own event loop, so nothing is
// ever accepted: once two connections fill the accept queue, further SYNs are dropped by the
// kernel and connects to this port hang. Started by processes.js; killed by the test.
'use strict';

const net = require('node:net');

const server = net.createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  // stdout to a pipe is synchronous on Linux, so the line is out before the loop blocks.
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
