// `ringgate top` (README "ringgate top") against a real gateway with an admin key and the mock:
// in a real terminal (a tmux server of the test's own) the frame shows the traffic just sent,
// the key's limit as a bar and the deployment's breaker, and a smaller pane a frame cut to it;
// a wrong admin key shows the 401 line and keeps retrying; Ctrl-C ends it with status 0 and
// leaves the alternate screen. --once prints one frame for scripts,
// or exits 1 with the reason on stderr. No capture shows a secret. Waits are conditions with
// deadlines.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startMock, startConfigGateway, runRinggate, stopAll, writeTemp } = require('./lib/processes');
const { postJson, waitFor, sha256Hex, CHAT } = require('./lib/http');
const { gatewayToml } = require('./lib/config');
const { Tmux } = require('./lib/tmux');

const RINGGATE_BIN = process.env.RINGGATE_BIN;
const newKey = () => 'rg-' + crypto.randomBytes(32).toString('base64url');
const ADMIN = newKey();
const ALICE = newKey();
const WRONG = newKey();
const BAR = /^ {2}\S+ +\[#+\.*\] +\d+\/\d+ /m;

// The frame's requests/s over the last minute, or NaN when it shows none.
const rateOf = (screen) => Number((/^requests\/s {2}1m (\S+)/m.exec(screen) || [])[1]);

describe('ringgate top', () => {
  let mock, gw, tmux;
  before(async () => {
    mock = await startMock();
    gw = await startConfigGateway(gatewayToml({
      apiBase: mock.apiBase,
      auth: { mode: 'keys' },
      teams: [{ name: 'eng' }],
      // A day's refill, so the 5 requests stay on the bar (a cell of 24 is 4%) while the test looks.
      keys: [{ id: 'alice', sha256: sha256Hex(ALICE), team: 'eng', limits: { rpd: 100 }, budget: { daily_usd: 5 } }],
    }) + '\n[metrics]\nadmin_key = "env:RG_TOP_ADMIN_KEY"\n', { env: { RG_TOP_ADMIN_KEY: ADMIN } });
    for (let i = 0; i < 5; i++) {
      const r = await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: `Bearer ${ALICE}` });
      assert.equal(r.status, 200, r.text);
    }
    tmux = new Tmux({ RINGGATE_ADMIN_KEY: ADMIN, RG_TOP_WRONG_KEY: WRONG });
    await tmux.start();
  });
  after(async () => {
    if (tmux) await tmux.kill();
    await stopAll();
  });

  const assertNoSecret = (screen) => {
    for (const secret of [ADMIN, ALICE, WRONG]) {
      assert.ok(!screen.includes(secret.slice(0, 12)), 'a key appeared on the screen');
    }
  };

  it('shows the traffic, a bar for the key\'s limit and the breaker, refreshing in place', async () => {
    // A shell that outlives Ctrl-C (a trap, which ringgate does not inherit) prints its exit
    // status after it and keeps the pane open: tmux's own pane_dead_status is racy.
    await tmux.open('top', ['sh', '-c', 'trap : INT; "$0" "$@"; echo "top exited $?"; exec cat', RINGGATE_BIN,
      'top', '--url', gw.url, '--interval-ms', '200']);
    let screen = '';
    try {
      await waitFor(async () => {
        screen = await tmux.capture('top');
        return rateOf(screen) > 0 && /^alice {2}team eng {2}[1-9]\d* requests/m.test(screen) &&
          BAR.test(screen) && /^DEPLOYMENTS \([1-9]/m.test(screen) && / closed /.test(screen);
      }, { deadlineMs: 20000, what: 'the frame to show the traffic' });
    } catch (e) {
      throw new Error(`${e.message}\nscreen:\n${screen}`);
    }
    assert.match(screen, /^ringgate top {2}127\.0\.0\.1:\d+ {2}up /m);
    assertNoSecret(screen);
    // Within 100 columns, the frame top drew for this 100x40 pane.
    for (const line of screen.split('\n')) assert.ok(line.length <= 100, line);
    // More traffic moves the numbers on the same screen (redrawn, not scrolled).
    const before = Number(/^alice {2}team eng {2}(\d+) requests/m.exec(screen)[1]);
    for (let i = 0; i < 3; i++) {
      assert.equal((await postJson(gw.url, '/v1/chat/completions', CHAT, { authorization: `Bearer ${ALICE}` })).status, 200);
    }
    screen = await waitFor(async () => {
      const s = await tmux.capture('top');
      const m = /^alice {2}team eng {2}(\d+) requests/m.exec(s);
      return m && Number(m[1]) >= before + 3 && s;
    }, { deadlineMs: 20000, what: 'the key\'s request count to grow' });
    assert.equal(screen.match(/^ringgate top /mg).length, 1, screen);
  });

  it('a smaller terminal gets a frame cut to its height and width (SIGWINCH)', async () => {
    // 56 columns end inside the error rate of the requests/s line ("0.0%" starts at column 54).
    await tmux.run('resize-window', '-t', 'top', '-x', '56', '-y', '12');
    const screen = await waitFor(async () => {
      const s = await tmux.capture('top');
      return /^\.\.\. \d+ more lines \(a taller terminal shows them\)$/m.test(s) && s;
    }, { what: 'the frame cut to 12 lines' });
    const lines = screen.replace(/\n+$/, '').split('\n');
    assert.equal(lines.length, 12, screen);
    for (const line of lines) assert.ok(line.length <= 56, line);
    assert.match(lines[0], /^ringgate top /);
    // Cut to exactly 56: the frame takes the width TIOCGWINSZ reports, and no less.
    assert.match(lines[1], /^requests\/s {2}1m .* errors {2}1m \d+\.\d$/);
    assert.equal(lines[1].length, 56, lines[1]);
  });

  it('Ctrl-C ends it with status 0 and leaves the alternate screen', async () => {
    await tmux.sendKeys('top', 'C-c');
    const screen = await waitFor(async () => {
      const s = await tmux.capture('top');
      return /^top exited \d+$/m.test(s) && s;
    }, { what: 'ringgate top to exit' });
    assert.match(screen, /^top exited 0$/m);
    // The normal screen is back: the frame was drawn on the alternate one only.
    assert.doesNotMatch(screen, /^ringgate top /m);
  });

  it('a wrong admin key shows the 401 line and keeps retrying', async () => {
    await tmux.open('wrong', [RINGGATE_BIN, 'top', '--url', gw.url, '--interval-ms', '200',
      '--admin-key-env', 'RG_TOP_WRONG_KEY']);
    let screen = '';
    try {
      screen = await waitFor(async () => {
        const s = await tmux.capture('wrong');
        return /^! the gateway refused the admin key in \$RG_TOP_WRONG_KEY \(401\) \(retrying\)$/m.test(s) && s;
      }, { what: 'the 401 message' });
    } catch (e) {
      throw new Error(`${e.message}\nscreen:\n${await tmux.capture('wrong')}`);
    }
    assert.match(screen, /^KEYS {2}-$/m);
    assert.doesNotMatch(screen, /alice/);
    assertNoSecret(screen);
    // Still running (retrying), not ended at the first refusal.
    assert.equal((await tmux.run('display-message', '-p', '-t', 'wrong', '#{pane_dead}')).trim(), '0');
  });

  it('--once prints one frame without screen control', async () => {
    const out = await runRinggate(['top', '--once', '--url', gw.url], { RINGGATE_ADMIN_KEY: ADMIN });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^ringgate top {2}127\.0\.0\.1:\d+ {2}up /);
    assert.match(out.stdout, /^alice {2}team eng {2}[1-9]\d* requests/m);
    assert.match(out.stdout, BAR);
    assert.match(out.stdout, /^eng {2}\d+ keys /m);
    assert.ok(rateOf(out.stdout) > 0, out.stdout);
    assert.ok(!out.stdout.includes('\x1b'), 'no escape sequence in --once output');
    assertNoSecret(out.stdout + out.stderr);
  });

  it('--config finds the gateway at the config\'s listen address, as deployments does', async () => {
    const file = writeTemp('ringgate.toml', gatewayToml({ apiBase: mock.apiBase, server: { listen: `127.0.0.1:${gw.port}` } }));
    const out = await runRinggate(['top', '--once', '--config', file], { RINGGATE_ADMIN_KEY: ADMIN });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`^ringgate top {2}127\\.0\\.0\\.1:${gw.port} {2}up `));
    assert.match(out.stdout, /^alice {2}team eng/m);
  });

  it('--once exits 1 with the reason on stderr: wrong key, no gateway', async () => {
    const wrong = await runRinggate(['top', '--once', '--url', gw.url], { RINGGATE_ADMIN_KEY: WRONG });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, '');
    assert.equal(wrong.stderr, 'ringgate top: the gateway refused the admin key in $RINGGATE_ADMIN_KEY (401)\n');
    const port = new URL(mock.url).port;
    await mock.stop();  // a port nothing listens on now
    const gone = await runRinggate(['top', '--once', '--url', `http://127.0.0.1:${port}`], { RINGGATE_ADMIN_KEY: ADMIN });
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `ringgate top: no gateway answers on 127.0.0.1:${port}\n`);
    const unset = await runRinggate(['top', '--once', '--url', gw.url], { RINGGATE_ADMIN_KEY: '' });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /set \$RINGGATE_ADMIN_KEY/);
  });

  it('--once against a gateway without an admin key says to configure one (403)', async () => {
    const bare = await startConfigGateway(gatewayToml({
      apiBase: 'http://127.0.0.1:9/v1',
      auth: { mode: 'keys' },
      keys: [{ id: 'k', sha256: sha256Hex(newKey()) }],
    }));
    const out = await runRinggate(['top', '--once', '--url', bare.url], { RINGGATE_ADMIN_KEY: ADMIN });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^ringgate top: the gateway has no admin key: set \[metrics\] admin_key/);
    await bare.stop();
  });
});
