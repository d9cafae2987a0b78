// Headless Chromium (Debian's package) driven by puppeteer-core, and a static server on
// 127.0.0.1 that serves test pages and the official `openai` SDK's ESM build to them, so a page
// calls ringgate from a real browser origin.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const OPENAI_DIR = path.dirname(require.resolve('openai'));  // the package root: index.js

const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript' };

// Serves `pages` ({ '/name.html': html }, which the caller may add to later) and /openai/* from
// the installed SDK; resolves to { url, pages, close } once it listens on a port the kernel
// picked. Each server is its own origin (its own port).
function startPageServer(pages = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (pages[url.pathname] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(pages[url.pathname]);
    }
    if (url.pathname.startsWith('/openai/')) {
      const file = path.join(OPENAI_DIR, path.normalize(url.pathname.slice('/openai/'.length)));
      if (file.startsWith(OPENAI_DIR) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'text/plain' });
        return res.end(fs.readFileSync(file));
      }
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        pages,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

async function launchBrowser() {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox: CI runs as root, where Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
}

// Opens `url` and waits (with a deadline) for the page to set window.result; returns it.
async function pageResult(browser, url, deadlineMs = 20000) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.result !== undefined, { timeout: deadlineMs });
    return await page.evaluate(() => window.result);
  } finally {
    await page.close();
  }
}

module.exports = { startPageServer, launchBrowser, pageResult };
