// bench/accounting_check.sh's driver: N streamed requests through ringgate with a ledger, then
// every ledger row against the usage the upstream reported (tests/integration/lib/ledger_check.js
// says how). Prints `rows matched: X / N (P%)` and the mismatches; exits 1 unless all matched.
'use strict';

const { runLedgerCheck, formatReport } = require('../tests/integration/lib/ledger_check');

async function main() {
  const n = Number(process.argv[2] ?? 10000);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`usage: bench/accounting_check.sh [N]  (N: requests, default 10000; got ${process.argv[2]})`);
    process.exit(2);
  }
  const r = await runLedgerCheck({ n, log: (l) => console.error(l) });
  console.log(formatReport(r));
  process.exit(r.matched === r.n ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
