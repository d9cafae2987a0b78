// Writes the tokenizer benchmark corpus (~5 MB, the same bytes every run) to argv[2]: a mix by
// weight of English prose, source code, JSON, CJK, Cyrillic/Arabic/Hindi text, emoji and numbers,
// assembled from fixed fragments by a fixed-seed generator.
'use strict';
const fs = require('node:fs');
const { prng } = require('../tests/integration/lib/tokenizer_corpus');

const WORDS = ('the of and to in is was for that with as on by at from this are be it an or which ' +
  'gateway request token budget provider stream latency cache model response upstream shard ' +
  'ring buffer connection client server error retry fallback limit cost usage account').split(' ');
const CODE = [
  'for (size_t i = 0; i < n; ++i) {\n  sum += v[i] * w[i];\n}\n',
  'def handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}\n',
  'const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(req) });\n',
  'if err != nil {\n\treturn fmt.Errorf("dial %s: %w", addr, err)\n}\n',
  '    let x: Vec<u32> = items.iter().map(|t| t.id).collect();\n',
];
const JSONS = ['{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"stream":true}\n',
  '{"id":"chatcmpl-123","usage":{"prompt_tokens":12,"completion_tokens":34}}\n'];
const OTHER = ['我们今天讨论网关的性能和缓存策略。', 'トークン数を数えるのは大切です。',
  'Шлюз принимает запросы и пересылает их.', 'البوابة تستقبل الطلبات وترسلها.',
  'गेटवे अनुरोध स्वीकार करता है।', '🚀🔥👍🏽 👨‍👩‍👧 ✅ ', '3.14159 2024-12-02 1,234,567 0x7fff ',
  '안녕하세요 세계 ', 'Ünïcödé façade naïve café ', '\n\n    ', '\t\t'];

function main() {
  const out = process.argv[2];
  const size = Number(process.argv[3] || 5_000_000);
  const rand = prng(12345);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const parts = [];
  let n = 0;
  while (n < size) {
    const r = rand();
    let s;
    if (r < 0.55) {
      const k = 5 + Math.floor(rand() * 25);
      const w = [];
      for (let i = 0; i < k; i++) w.push(pick(WORDS));
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      s = w.join(' ') + (rand() < 0.2 ? "'s" : '') + pick(['. ', ', ', '? ', '.\n', '; ']);
    } else if (r < 0.75) {
      s = pick(CODE);
    } else if (r < 0.82) {
      s = pick(JSONS);
    } else {
      s = pick(OTHER);
    }
    parts.push(s);
    n += Buffer.byteLength(s);
  }
  fs.writeFileSync(out, parts.join(''));
}
main();
