// What the node benchmarks share: the gateway and mock binaries of a build (BUILD, default
// "build"; RINGGATE_BIN and MOCK_BIN override them), set before the integration tests' process
// helpers are loaded, and numeric command-line flags.
'use strict';

const path = require('node:path');

function useBuildBinaries() {
  const build = path.resolve(__dirname, '../..', process.env.BUILD || 'build');
  process.env.RINGGATE_BIN ||= path.join(build, 'tools/cli/ringgate');
  process.env.MOCK_BIN ||= path.join(build, 'tools/mock_upstream/ringgate-mock-upstream');
}

// flags: { '--runs': ['runs', 5], ... }. Returns { runs: 5, ... } with the given values as numbers.
function numericFlags(script, argv, flags) {
  const o = {};
  for (const [key, value] of Object.values(flags)) o[key] = value;
  for (let i = 0; i < argv.length; ++i) {
    const flag = flags[argv[i]];
    if (!flag) throw new Error(`${script}: unknown argument ${argv[i]}`);
    o[flag[0]] = Number(argv[++i]);
  }
  return o;
}

module.exports = { useBuildBinaries, numericFlags };
